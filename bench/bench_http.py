"""The write path over HTTP: pages against a Pyramid hello world, bytes written per GET, and
concurrent writers on one log. Every figure is a ratio or a count taken in this one run.

    .venv/bin/python bench/bench_http.py [--seconds 10] [--writers-seconds 20] [--src DIR]

Both apps are served the same way (waitress, 8 threads, one process, loopback) and loaded
with wrk (Debian's package ``wrk``). The demo database is built fresh in a temporary
folder. ``--src`` runs another checkout of Stafett (e.g. ``git worktree add /tmp/old
<commit>``) for before/after figures; ``--only`` picks measurements.

Prints: requests per second and median latency at 1 and 16 connections for hello world, the
holder's log page and front page, each as a share of hello world (wrk's tail percentiles at
one connection disagreed with a plain sequential client, so the table shows the median);
bytes appended to Data.fs per GET of the log page; for 16 clients writing glimpses into one
log: HTTP 500s, glimpses lost (answered 303 but not stored), p95 latency; and the log page's
size and median time before and after the writers filled its history (``history``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PASSWORD = "stafett-demo"

SERVE = """
import sys, waitress
kind, port = sys.argv[1], int(sys.argv[2])
if kind == "hello":
    from pyramid.config import Configurator
    from pyramid.response import Response
    with Configurator() as config:
        config.add_route("hello", "/")
        config.add_view(lambda request: Response("Hello world"), route_name="hello")
    app = config.make_wsgi_app()
else:
    from pyramid.paster import get_app
    from pyramid.paster import setup_logging
    setup_logging(sys.argv[3])
    app = get_app(sys.argv[3], "main")
waitress.serve(app, listen=f"127.0.0.1:{port}", threads=8, _quiet=True)
"""

STATUS_LUA = """
counts = {}
threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("counts") or {}) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write(string.format('WRK {"requests": %d, "seconds": %f, "p50": %d, "p95": %d, ' ..
    '"p99": %d, "status": {%s}}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    table.concat(parts, ", ")))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, kind: str, env: dict, ini: str = "", log: str = os.devnull) -> None:
        self.port = free_port()
        self.log = log
        with open(log, "ab") as errors:  # a file, not a pipe: a full pipe would stall it
            self.process = subprocess.Popen(  # in the checkout: "-c" puts the cwd first
                [sys.executable, "-c", SERVE, kind, str(self.port), ini], env=env,
                cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL, stderr=errors)
        self._wait()

    def _wait(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(open(self.log).read()[-2000:]) from None
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


class Browser:
    """Just enough of a client to log in and find URLs: one cookie jar, no redirects."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def login(self, username: str) -> None:
        _status, _h, page = self.request("GET", "/login")
        status, _h, _t = self.request("POST", "/login", {
            "csrf_token": csrf(page), "username": username, "password": PASSWORD, "otp": "",
            "submit": "submit"})
        assert status == 303, f"login as {username} failed ({status})"


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def wrk(url: str, connections: int, seconds: int, headers: dict | None = None,
        post: str | None = None) -> dict:
    script = STATUS_LUA
    if post is not None:
        script = f'wrk.method = "POST"\nwrk.body = {json.dumps(post)}\n' + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d",
               f"{seconds}s", "--timeout", "30s", "-s", lua.name]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command + [url], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    os.unlink(lua.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    result = json.loads(line[4:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def build_demo(folder: str, env: dict) -> str:
    ini = os.path.join(folder, "bench.ini")
    with open(ini, "w") as out:
        out.write(textwrap.dedent(f"""\
            [app:main]
            use = egg:stafett
            zodbconn.uri = file://{folder}/Data.fs?connection_cache_size=20000&connection_pool_size=8
            tm.manager_hook = pyramid_tm.explicit_manager
            retry.attempts = 5
            pyramid.default_locale_name = nb
            stafett.session_secret = bench
            stafett.local_login = all
            stafett.mail_delivery = files
            mail.top_level_directory = {folder}/mail
            stafett.nightly = off

            [loggers]
            keys = root

            [handlers]
            keys = console

            [formatters]
            keys = generic

            [logger_root]
            level = WARN
            handlers = console

            [handler_console]
            class = StreamHandler
            args = (sys.stderr,)
            formatter = generic

            [formatter_generic]
            format = %(asctime)s %(levelname)s [%(name)s] %(message)s
            """))
    for script in ("stafett-catalogs", "stafett-init", "stafett-demo"):
        args = [] if script == "stafett-catalogs" else [ini]
        subprocess.run([os.path.join(os.path.dirname(sys.executable), script), *args],
                       env=env, check=True, capture_output=True)
    return ini


def demo_log_id(browser: Browser, name: str) -> str:
    _s, _h, home = browser.request("GET", "/")
    match = re.search(r'href="[^"]*?(/demo/logs/[0-9a-f]+/)"[^>]*>\s*' + name, home)
    return match.group(1)


def glimpse_count(folder: str, env: dict, log_path: str) -> int:
    code = textwrap.dedent(f"""\
        from ZODB import DB, FileStorage
        db = DB(FileStorage.FileStorage({folder + '/Data.fs'!r}, read_only=True))
        root = db.open().root()["stafett"]
        print(len(root["demo"].logs[{log_path.strip('/').split('/')[-1]!r}].glimpses))
        db.close()""")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=env["PYTHONPATH"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--writers-seconds", type=int, default=20)
    parser.add_argument("--src", default=REPO, help="the checkout of Stafett to measure")
    parser.add_argument("--only", default="pages,bytes,writers,history")
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=os.path.abspath(args.src))
    only = set(args.only.split(","))
    folder = tempfile.mkdtemp(prefix="stafett-bench-")
    ini = build_demo(folder, env)
    hello = Server("hello", env)
    app = Server("stafett", env, ini, log=os.path.join(folder, "server.log"))
    try:
        browser = Browser(app.port)
        browser.login("larer")
        cookie = {"Cookie": browser.cookie_header()}
        log_path = demo_log_id(browser, "Emma Nordmann")
        print(f"Stafett from {args.src}; {args.seconds} s per run; wrk on loopback\n")
        if "pages" in only:
            guardian = Browser(app.port)
            guardian.login("forelder")
            pages(hello, app, cookie, log_path, args.seconds,
                  {"Cookie": guardian.cookie_header()})
        if "bytes" in only:
            bytes_per_get(app, cookie, log_path, folder, args.seconds)
        if "history" in only:
            short = page_cost(app, cookie, log_path, folder, env, args.seconds)
        if "writers" in only:
            writers(app, browser, cookie, log_path, folder, env, args.writers_seconds)
        if "history" in only:
            history(short, page_cost(app, cookie, log_path, folder, env, args.seconds))
    finally:
        hello.stop()
        app.stop()
    lines = open(app.log).readlines()
    errors = sum(1 for line in lines if " ERROR " in line)
    warnings = sum(1 for line in lines if " WARNING " in line and "[waitress.queue]" not in line)
    print(f"server log: {errors} lines at ERROR, {warnings} at WARNING besides waitress's "
          f"queue depth at 16 connections ({app.log})")
    return 0


def pages(hello: Server, app: Server, cookie: dict, log_path: str, seconds: int,
          guardian: dict) -> None:
    print(f"{'page':<28}{'conns':>6}{'req/s':>10}{'of hello':>10}{'p50 ms':>9}{'non-2xx':>9}")
    for connections in (1, 16):
        base = wrk(hello.url("/"), connections, seconds)
        _row("hello world", connections, base, base)
        for label, path, headers in (("log page (holder)", log_path, cookie),
                                     ("front page (holder)", "/", cookie),
                                     ("log page (guardian)", log_path, guardian)):
            result = wrk(app.url(path), connections, seconds, headers)
            _row(label, connections, result, base)
    print()


def _row(label: str, connections: int, result: dict, base: dict) -> None:
    bad = sum(v for k, v in result["status"].items() if not k.startswith("2"))
    print(f"{label:<28}{connections:>6}{result['rps']:>10.1f}"
          f"{100 * result['rps'] / base['rps']:>9.1f}%{result['p50'] / 1000:>9.1f}{bad:>9}")


def bytes_per_get(app: Server, cookie: dict, log_path: str, folder: str, seconds: int) -> None:
    datafs = os.path.join(folder, "Data.fs")
    before = os.path.getsize(datafs)
    result = wrk(app.url(log_path), 4, seconds, cookie)
    time.sleep(2)  # let background work that follows the reads settle
    grown = os.path.getsize(datafs) - before
    print(f"log page GETs: {result['requests']}; Data.fs grew {grown} bytes: "
          f"{grown / max(result['requests'], 1):.1f} bytes per GET\n")


def writers(app: Server, browser: Browser, cookie: dict, log_path: str, folder: str,
            env: dict, seconds: int) -> None:
    _s, _h, form = browser.request("GET", log_path + "add-glimpse")
    body = urllib.parse.urlencode({"csrf_token": csrf(form), "text": "Et lite lysglimt.",
                                   "save": "save"})
    before = glimpse_count(folder, env, log_path)
    result = wrk(app.url(log_path + "add-glimpse"), 16, seconds,
                 dict(cookie, **{"Content-Type": "application/x-www-form-urlencoded"}), body)
    time.sleep(1)
    stored = glimpse_count(folder, env, log_path) - before
    answered = result["status"].get("303", 0)
    errors = sum(v for k, v in result["status"].items() if k.startswith("5"))
    # wrk stops with up to 16 requests in flight: stored then, but never counted as answered
    print(f"16 clients writing glimpses to one log for {seconds} s: {result['requests']} "
          f"requests, {answered} saved (303), {errors} HTTP 5xx "
          f"({100 * errors / max(result['requests'], 1):.1f} %), "
          f"{max(answered - stored, 0)} lost (answered 303 but not stored), "
          f"p95 {result['p95'] / 1000:.0f} ms; statuses {result['status']}\n")


def page_cost(app: Server, cookie: dict, log_path: str, folder: str, env: dict,
              seconds: int) -> dict:
    """The log page's glimpses, size and median time at one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=120)
    conn.request("GET", log_path, headers=cookie)
    size = len(conn.getresponse().read())
    conn.close()
    result = wrk(app.url(log_path), 1, seconds, cookie)
    return {"glimpses": glimpse_count(folder, env, log_path), "bytes": size,
            "p50": result["p50"] / 1000}


def history(short: dict, long: dict) -> None:
    for label, cost in (("before the writers", short), ("after the writers", long)):
        print(f"log page {label}: {cost['glimpses']} glimpses, {cost['bytes']} bytes, "
              f"median {cost['p50']:.1f} ms")
    print(f"long history / short: {long['bytes'] / short['bytes']:.2f}x the bytes, "
          f"{long['p50'] / short['p50']:.2f}x the time\n")


if __name__ == "__main__":
    sys.exit(main())
