"""Scale-out: the log page and 16 concurrent writers with one and with two app processes, on
a ZEO server and on RelStorage (PostgreSQL), as ratios against a Pyramid hello world served
the same way (waitress, 8 threads, as many processes), all taken in this one run.

    .venv/bin/python bench/bench_scaleout.py [--seconds 10] [--writers-seconds 10]

With two processes wrk loads both at once, half the connections each, and the requests per
second are summed. The demo database is built fresh in a temporary folder, served by a ZEO
server (``runzeo``, Stafett's purgeable FileStorage) and copied into a throwaway PostgreSQL
cluster (tests/postgres.py: Debian's server binaries). Uses bench_http.py's servers, client
and wrk (Debian's package ``wrk``).

Prints per setup: the holder's log page at 16 connections (req/s, share of hello world with
as many processes, median ms, non-2xx); 16 clients adding glimpses to one log (saved per
second, share of hello world, HTTP 5xx, glimpses lost, p95 ms); and the ERROR lines the
app processes logged.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from bench_http import REPO, Browser, Server, build_demo, csrf, demo_log_id, free_port, wrk

sys.path.insert(0, REPO)

CONNECTIONS = 16
ZEO_CONF = """%import stafett
<zeo>
  address 127.0.0.1:{port}
</zeo>
<purgeablefilestorage 1>
  path {path}
</purgeablefilestorage>
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--writers-seconds", type=int, default=10)
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=REPO)
    folder = tempfile.mkdtemp(prefix="stafett-scaleout-")
    base_ini = build_demo(folder, env)
    print(f"Stafett from {REPO}; {args.seconds} s per page run, {args.writers_seconds} s of "
          f"writers; wrk on loopback, {os.cpu_count()} cores\n")
    hello = {n: measure_hello(n, env, args.seconds) for n in (1, 2)}
    setups = [("ZEO", zeo_server(folder, env))]
    from tests.postgres import PostgresServer

    postgres = PostgresServer()
    try:
        setups.append(("RelStorage", relstorage_database(folder, postgres)))
        print(f"{'setup':<24}{'log page r/s':>13}{'of hello':>9}{'p50 ms':>8}{'non-2xx':>8}"
              f"{'saved/s':>9}{'of hello':>9}{'5xx':>6}{'lost':>6}{'p95 ms':>8}")
        for name, (settings, stop) in setups:
            for processes in (1, 2):
                row = measure_app(folder, base_ini, settings, processes, env, args)
                show(f"{name}, {processes} process{'es' * (processes > 1)}", row,
                     hello[processes])
            stop()
    finally:
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print("\nhello world: " + ", ".join(f"{n} process{'es' * (n > 1)} {hello[n]['rps']:.0f} "
                                        "req/s" for n in (1, 2)))
    return 0


# -- the storages ---------------------------------------------------------------------------
def zeo_server(folder: str, env: dict):
    """A ZEO server process over a copy of the demo data; its settings and its stop."""
    server_dir = os.path.join(folder, "zeo")
    os.mkdir(server_dir)
    shutil.copy(os.path.join(folder, "Data.fs"), os.path.join(server_dir, "Data.fs"))
    port = free_port()
    conf = os.path.join(server_dir, "zeo.conf")
    with open(conf, "w") as out:
        out.write(ZEO_CONF.format(port=port, path=os.path.join(server_dir, "Data.fs")))
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "runzeo"),
                                "-C", conf], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _wait_for_port(port)
    settings = {"zodbconn.uri": f"zeo://127.0.0.1:{port}?connection_cache_size=20000"
                                "&connection_pool_size=8",
                "stafett.access_journal": f"sqlite://{folder}/zeo/access.sqlite"}

    def stop():
        process.terminate()
        process.wait(timeout=30)

    return settings, stop


def relstorage_database(folder: str, postgres):
    from tests.storages import load_into_relstorage

    load_into_relstorage(postgres, "bench", os.path.join(folder, "Data.fs"))
    uri = postgres.relstorage_uri("bench", cache_local_mb="100",
                                  connection_cache_size="20000", connection_pool_size="8")
    return {"zodbconn.uri": uri, "stafett.access_journal": postgres.url("bench")}, lambda: None


def _wait_for_port(port: int) -> None:
    import socket

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the ZEO server did not start")


# -- the measurements -----------------------------------------------------------------------
def measure_hello(processes: int, env: dict, seconds: int) -> dict:
    servers = [Server("hello", env) for _ in range(processes)]
    try:
        return spread(servers, "/", seconds)
    finally:
        for server in servers:
            server.stop()


def measure_app(folder: str, base_ini: str, settings: dict, processes: int, env: dict,
                args) -> dict:
    ini = write_ini(folder, base_ini, settings, processes)
    logs = [os.path.join(folder, f"app-{processes}-{n}.log") for n in range(processes)]
    servers = [Server("stafett", env, ini, log=log) for log in logs]
    try:
        browser = Browser(servers[0].port)
        browser.login("larer")
        cookie = {"Cookie": browser.cookie_header()}  # a signed cookie: good on every process
        log_path = demo_log_id(browser, "Emma Nordmann")
        for server in servers:  # each process compiles its templates before it is timed
            warm = Browser(server.port)
            warm.cookies = dict(browser.cookies)
            for path in (log_path, log_path + "add-glimpse"):
                warm.request("GET", path)
        page = spread(servers, log_path, args.seconds, cookie)
        _s, _h, form = browser.request("GET", log_path + "add-glimpse")
        body = urllib.parse.urlencode({"csrf_token": csrf(form), "text": "Et lite lysglimt.",
                                       "save": "save"})
        before = glimpse_count(settings, log_path)
        writers = spread(servers, log_path + "add-glimpse", args.writers_seconds,
                         dict(cookie, **{"Content-Type": "application/x-www-form-urlencoded"}),
                         body)
        time.sleep(1)
        stored = glimpse_count(settings, log_path) - before
    finally:
        for server in servers:
            server.stop()
    errors = sum(1 for log in logs for line in open(log) if " ERROR " in line)
    return {"page": page, "writers": writers, "stored": stored, "errors": errors}


def write_ini(folder: str, base_ini: str, settings: dict, processes: int) -> str:
    """bench_http's ini with the shared storage and access journal."""
    text = open(base_ini).read()
    text = re.sub(r"^zodbconn\.uri = .*$", lambda _m: "\n".join(
        f"{k} = {v}" for k, v in settings.items()), text, flags=re.M)
    path = os.path.join(folder, f"scaleout-{processes}.ini")
    with open(path, "w") as out:
        out.write(text)
    return path


def spread(servers: list, path: str, seconds: int, headers: dict | None = None,
           post: str | None = None) -> dict:
    """wrk on every server at once, the connections shared out; the results summed."""
    results: list[dict] = []
    share = CONNECTIONS // len(servers)

    def load(server):
        results.append(wrk(server.url(path), share, seconds, headers, post))

    threads = [threading.Thread(target=load, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    status: dict[str, int] = {}
    for result in results:
        for code, count in result["status"].items():
            status[code] = status.get(code, 0) + count
    return {"rps": sum(r["rps"] for r in results), "status": status,
            "requests": sum(r["requests"] for r in results),
            "p50": max(r["p50"] for r in results), "p95": max(r["p95"] for r in results)}


def glimpse_count(settings: dict, log_path: str) -> int:
    from ZODB import DB
    from zodburi import resolve_uri

    factory, dbkw = resolve_uri(settings["zodbconn.uri"])
    db = DB(factory(), **dbkw)
    try:
        conn = db.open()
        log_id = log_path.strip("/").split("/")[-1]
        count = len(conn.root()["stafett"]["demo"].logs[log_id].glimpses)
        conn.close()
        return count
    finally:
        db.close()


def show(label: str, row: dict, hello: dict) -> None:
    page, writers = row["page"], row["writers"]
    bad = sum(v for k, v in page["status"].items() if not k.startswith("2"))
    saved = writers["status"].get("303", 0)
    errors = sum(v for k, v in writers["status"].items() if k.startswith("5"))
    seconds = writers["requests"] / writers["rps"] if writers["rps"] else 1
    # wrk stops with requests in flight: stored then but never counted as answered
    lost = max(saved - row["stored"], 0)
    print(f"{label:<24}{page['rps']:>13.1f}{100 * page['rps'] / hello['rps']:>8.1f}%"
          f"{page['p50'] / 1000:>8.1f}{bad:>8}{saved / seconds:>9.1f}"
          f"{100 * saved / seconds / hello['rps']:>8.1f}%{errors:>6}{lost:>6}"
          f"{writers['p95'] / 1000:>8.0f}"
          + (f"   ({row['errors']} ERROR lines logged)" if row["errors"] else ""))


if __name__ == "__main__":
    sys.exit(main())
