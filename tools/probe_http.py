"""Probe a running Stafett over HTTP for server errors on bad input.

Logs in as each demo role, follows links from the front page (bounded in count and time),
sends hostile values into every form it finds (with the page's CSRF token), sends malformed
query strings and bodies, and prints the answers counted by status class, with every URL
that gave a 5xx. With ``--journal`` (the server's SQLite access journal) it also counts, per
log, the reads it was answered (a page or file under ``/logs/<id>/``) against the read
entries the journal gained, and prints the reads left unjournaled. Loopback only: it writes
into the database it probes, so point it at a throwaway copy of the demo data (``make run``
serves one on http://localhost:6543).

    .venv/bin/python tools/probe_http.py [--base http://localhost:6543] [--max-seconds 600]
        [--journal var/access.sqlite]

Standard library only; exit status 1 when any 5xx or unjournaled read was seen.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
ROLES = ("forelder", "sara", "assistent", "superbruker", "rektor", "larer", "helsesykepleier",
         "leder-hs", "styrer")
PASSWORD = "stafett-demo"
ID = re.compile(r"[0-9a-f]{16}")
LOG_PATH = re.compile(r"/logs/([0-9a-f]{16})(/|$)")
NOT_FOLLOWED = ("/logout", "/static/", "/static-deform/")
NOT_POSTED = ("/logout", "/meeting-mode")  # would end the session or lock it in one log
# Forms that end something: sent last, so the other forms still find their logs running.
ENDING = ("/close", "/withdraw", "/discard", "/delete", "/decline", "/accept", "/cancel",
          "/deactivate", "console-delete", "console-receive", "/reopen")
KEPT_HIDDEN = {"csrf_token", "__formid__", "_charset_", "__start__", "__end__"}
FILTER_PARAMS = ("state", "holder", "level", "category", "deadline", "weeks", "after",
                 "since", "until", "unit", "machine", "trigger", "format", "table", "log")

LONG = "Lang tekst " * 20_000
HOSTILE_TEXTS = (
    "", " ", "\x00", "før\x00etter", "\x01\x02\x1b[31m\x7f\x9f", "tab\tny\nlinje\r",
    LONG, "<script>alert(1)</script>&amp;\"'", "Ærøy ﷽ 👨‍👩‍👧 \u202eevil\u200b",
    "2024-13-45", "31.02.2024", "-1", "1e309", "9" * 40, "NaN", "../../etc/passwd",
    "%s%n{0}${x}", "\ud800", "' OR 1=1 --",
)
OUTSIDE_CHOICES = ("not-a-choice", "", "\x00", "999", "../x", "\ud800")
FILES = (("scan.pdf", b"not a pdf at all", "application/pdf"),
         ("", b"", "application/octet-stream"),
         ("\x00evil.pdf", b"%PDF-1.4\n%%EOF", "application/pdf"))
CHOICE_VALUES = ("not-a-choice", "\x00", "\ud800", "")
ONE_FIELD_VALUES = {  # by input type; any other type gets the "text" values
    "text": ("", "\x00", "a\x01\x1bb", LONG, "\ud800", "<b>&amp;</b>", "2024-02-30", "-1"),
    "select": CHOICE_VALUES, "radio": CHOICE_VALUES, "checkbox": CHOICE_VALUES, "file": FILES,
}


# -- HTML ---------------------------------------------------------------------------------
@dataclass
class Field:
    kind: str  # text, textarea, hidden, select, radio, checkbox, file, password, submit…
    name: str
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    url: str
    method: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    @property
    def fillable(self) -> list[Field]:
        return [f for f in self.fields if f.kind not in ("submit", "hidden")
                or (f.kind == "hidden" and f.name not in KEPT_HIDDEN)]


class PageParser(HTMLParser):
    """Links and forms of one page, fields in document order (Deform's markers matter)."""

    def __init__(self, url: str):
        super().__init__()
        self.url, self.links, self.forms = url, [], []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urllib.parse.urljoin(self.url, a["href"]))
        elif tag == "form":
            self._start_form(a)
        elif self._form is not None:
            self._form_tag(tag, a)

    def _start_form(self, a: dict) -> None:
        action = urllib.parse.urljoin(self.url, a.get("action") or self.url)
        self._form = Form(action, (a.get("method") or "get").lower(),
                          "multipart" in a.get("enctype", ""))
        self.forms.append(self._form)
        if a.get("data-autosave-url"):  # static/autosave.js posts the same fields there
            self.forms.append(Form(urllib.parse.urljoin(self.url, a["data-autosave-url"]),
                                   "post", False, self._form.fields))

    def _form_tag(self, tag: str, a: dict) -> None:
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            self._form.fields.append(Field(kind, name, a.get("value", ""),
                                           checked="checked" in a))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form.fields.append(Field("submit", name, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field("textarea", name)
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field("select", name)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(url: str, html: str) -> PageParser:
    parser = PageParser(url)
    try:
        parser.feed(html)
    except Exception:  # noqa: BLE001 - a page we cannot parse still counts as visited
        pass
    return parser


# -- HTTP ---------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


@dataclass
class Answer:
    status: int  # 0 when the connection failed
    location: str = ""
    text: str = ""


class Client:
    def __init__(self, base: str, timeout: float):
        self.base, self.timeout = base, timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def send(self, method: str, url: str, body: bytes | None = None,
             content_type: str | None = None) -> Answer:
        request = urllib.request.Request(url, data=body, method=method.upper())
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return _answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.headers, error.read())
        except (OSError, ValueError):
            return Answer(0)


def _answer(status: int, headers, body: bytes) -> Answer:
    kind = headers.get("Content-Type", "")
    text = body.decode("utf-8", "replace") if "html" in kind else ""
    return Answer(status, headers.get("Location", ""), text)


def encode(value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def urlencoded(pairs: list[tuple[str, object]]) -> bytes:
    return b"&".join(urllib.parse.quote_plus(encode(k)).encode() + b"="
                     + urllib.parse.quote_plus(encode(v)).encode()
                     for k, v in pairs if not isinstance(v, tuple))


def multipart(pairs: list[tuple[str, object]], boundary: str) -> bytes:
    """A multipart body; a tuple value is a file (filename, bytes, content type)."""
    out = []
    for name, value in pairs:
        out.append(f"--{boundary}\r\n".encode())
        if isinstance(value, tuple):
            filename, data, kind = value
            out.append(b'Content-Disposition: form-data; name="' + encode(name)
                       + b'"; filename="' + encode(filename) + b'"\r\n')
            out.append(f"Content-Type: {kind}\r\n\r\n".encode() + data + b"\r\n")
        else:
            out.append(b'Content-Disposition: form-data; name="' + encode(name) + b'"\r\n\r\n'
                       + encode(value) + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


# -- counting -----------------------------------------------------------------------------
class Tally:
    def __init__(self):
        self.by_role: dict[str, Counter] = defaultdict(Counter)
        self.failures: list[str] = []
        self.reads: Counter = Counter()  # log id -> pages and files of it answered

    def add(self, role: str, method: str, url: str, label: str, answer: Answer) -> None:
        kind = f"{answer.status // 100}xx" if answer.status else "error"
        self.by_role[role][kind] += 1
        log = LOG_PATH.search(urllib.parse.urlsplit(url).path)
        shown = method == "get" or answer.text  # a POST counts when it shows a page again
        if log and 200 <= answer.status < 300 and shown and role != "anonymous":
            self.reads[log.group(1)] += 1
        if answer.status >= 500 or not answer.status:
            path = urllib.parse.urlsplit(url)
            shown = path.path + (f"?{path.query[:80]}" if path.query else "")
            self.failures.append(f"{answer.status or 'ERR'} {role:<12} {method} {shown}"
                                 f"  [{label}]")

    def report(self) -> str:
        kinds = ("2xx", "3xx", "4xx", "5xx", "error")
        lines = [f"{'role':<14}{'requests':>9}" + "".join(f"{k:>7}" for k in kinds)]
        total = Counter()
        for role, counts in self.by_role.items():
            total.update(counts)
            lines.append(_row(role, counts, kinds))
        lines.append(_row("total", total, kinds))
        lines.append(f"\n5xx and failed requests: {len(self.failures)}")
        lines.extend(f"  {line}" for line in self.failures)
        return "\n".join(lines)


def _row(name: str, counts: Counter, kinds) -> str:
    return f"{name:<14}{sum(counts.values()):>9}" + "".join(f"{counts[k]:>7}" for k in kinds)


# -- the probe ----------------------------------------------------------------------------
@dataclass
class Probe:
    base: str
    deadline: float
    max_pages: int
    rounds: int
    timeout: float
    tally: Tally = field(default_factory=Tally)
    rng: random.Random = field(default_factory=lambda: random.Random(8))

    def time_left(self) -> bool:
        return time.monotonic() < self.deadline

    def request(self, client, role, method, url, label, body=None, content_type=None):
        answer = client.send(method, url, body, content_type)
        self.tally.add(role, method, url, label, answer)
        return answer

    # -- one role ---------------------------------------------------------------------
    def run_role(self, role: str) -> None:
        client = Client(self.base, self.timeout)
        if role != "anonymous" and not self.log_in(client, role):
            print(f"{role}: login failed", file=sys.stderr)
            return
        pages, forms = self.crawl(client, role)
        for form in sorted(forms, key=lambda f: any(e in f.url for e in ENDING)):
            if not self.time_left():
                break
            self.attack_form(client, role, form)
        for url in pages:  # again: what the forms stored must still show
            if self.time_left():
                self.request(client, role, "get", url, "revisit")
        for url in pages:
            if not self.time_left():
                break
            self.malformed_queries(client, role, url)

    def log_in(self, client: Client, role: str) -> bool:
        page = self.request(client, role, "get", self.base + "/login", "login page")
        form = next((f for f in parse(self.base + "/login", page.text).forms
                     if any(x.kind == "password" for x in f.fields)), None)
        if form is None:
            return False
        values = {"username": role, "password": PASSWORD}
        pairs = [(f.name, values.get(f.name, f.value)) for f in form.fields]
        answer = self.request(client, role, "post", form.url, "login", urlencoded(pairs),
                              "application/x-www-form-urlencoded")
        return answer.status == 303 and not answer.location.endswith("/login")

    def crawl(self, client: Client, role: str) -> tuple[list[str], list[Form]]:
        """Pages reachable from the front page (a few of each URL pattern), their forms."""
        queue, seen, per_pattern = [self.base + "/"], set(), Counter()
        pages, forms, form_keys = [], [], set()
        while queue and len(pages) < self.max_pages and self.time_left():
            url = queue.pop(0)
            pattern = _pattern(url)
            if url in seen or per_pattern[pattern] >= 3 or not self.follows(url):
                continue
            seen.add(url)
            per_pattern[pattern] += 1
            answer = self.request(client, role, "get", url, "crawl")
            if answer.location:
                queue.append(urllib.parse.urljoin(url, answer.location))
            if answer.status != 200:
                continue
            pages.append(url)
            found = parse(url, answer.text)
            queue.extend(link.split("#")[0] for link in found.links)
            for form in found.forms:
                key = (form.method, _pattern(form.url), tuple(f.name for f in form.fields))
                if key not in form_keys:
                    form_keys.add(key)
                    forms.append(form)
        return pages, forms

    def follows(self, url: str) -> bool:
        path = urllib.parse.urlsplit(url).path
        return url.startswith(self.base + "/") and not path.startswith(NOT_FOLLOWED)

    # -- forms ------------------------------------------------------------------------
    def attack_form(self, client: Client, role: str, form: Form) -> None:
        path = urllib.parse.urlsplit(form.url).path
        if path.endswith(NOT_POSTED) or not form.url.startswith(self.base):
            return
        if form.fillable:
            for label, pairs in self.hostile(form):
                if not self.time_left():
                    return
                self.submit(client, role, form, label, pairs)
        if form.method == "get":
            for label, extra in (("invalid utf-8 query", b"\xff\xfe"), ("nul query", b"\x00")):
                query = urlencoded(_spoiled(form, extra)).decode()
                self.request(client, role, "get", form.url.split("?")[0] + "?" + query, label)
            return
        for label, body, kind in self.malformed_bodies(form):
            self.request(client, role, "post", form.url, label, body, kind)

    def hostile(self, form: Form):
        """One field hostile at a time (the others as the page filled them), then rounds
        in which every field is hostile at once (round 0 empties them all)."""
        names = dict.fromkeys(f.name for f in form.fillable)
        for name in names:
            kind = next(f.kind for f in form.fields if f.name == name)
            for value in ONE_FIELD_VALUES.get(kind, ONE_FIELD_VALUES["text"]):
                yield f"{name}={_short(value)}", _as_typed(form, name, value)
        for number in range(self.rounds):
            yield f"round {number}", self.all_hostile(form, number)

    def all_hostile(self, form: Form, number: int) -> list[tuple[str, object]]:
        pairs = []
        for index, f in enumerate(form.fields):
            pick = HOSTILE_TEXTS[(number * 7 + index) % len(HOSTILE_TEXTS)] if number else ""
            value = self.value_for(f, pick, number)
            if value is not None:
                pairs.append((f.name, value))
        return pairs

    def value_for(self, f: Field, pick: str, number: int):
        if f.kind == "submit" or (f.kind == "hidden" and f.name in KEPT_HIDDEN):
            return f.value
        if f.kind == "file":
            return FILES[number % len(FILES)] if number else ("", b"", "application/octet-stream")
        if f.kind in ("select", "radio", "checkbox"):
            if number % 3 == 1:
                return self.rng.choice(OUTSIDE_CHOICES)
            if f.kind != "select" and not self.rng.random() < 0.5:
                return None  # unticked
            return self.rng.choice(f.options or [f.value])
        return pick

    def submit(self, client, role, form: Form, label: str, pairs) -> Answer:
        """Send the form; when it was accepted, also read the page it leads to, where what
        was stored is shown."""
        if form.method == "get":
            url = form.url.split("?")[0] + "?" + urlencoded(pairs).decode()
            return self.request(client, role, "get", url, label)
        if form.multipart:
            boundary = uuid.uuid4().hex
            body, kind = multipart(pairs, boundary), f"multipart/form-data; boundary={boundary}"
        else:
            body, kind = urlencoded(pairs), "application/x-www-form-urlencoded"
        answer = self.request(client, role, "post", form.url, label, body, kind)
        target = urllib.parse.urljoin(form.url, answer.location)
        if answer.location and self.follows(target):
            self.request(client, role, "get", target, f"after {label}")
        return answer

    def malformed_bodies(self, form: Form):
        """Invalid UTF-8 and NUL in every field, oversized fields, broken multipart bodies.
        The CSRF token is spoiled with the same bytes, so a form with no fields of its own
        (a button) refuses rather than acts."""
        def spoil(extra: bytes):
            return _spoiled(form, extra)

        url_kind = "application/x-www-form-urlencoded"
        yield "invalid utf-8 body", urlencoded(spoil(b"\xff\xfe\xc3")), url_kind
        yield "nul body", urlencoded(spoil(b"\x00")), url_kind
        yield "invalid utf-8 name", b"%FF%FE=1&csrf_token=x", url_kind
        if form.fillable:
            yield "oversized fields", urlencoded([(f.name, f.value if f.kind == "hidden"
                                                   else "x" * 1_000_000) for f in form.fields]), \
                url_kind
        boundary = uuid.uuid4().hex
        yield "wrong boundary", multipart(spoil(b""), boundary), \
            "multipart/form-data; boundary=not-the-boundary"
        yield "multipart without body", b"", f"multipart/form-data; boundary={boundary}"
        yield "truncated multipart", multipart(spoil(b""), boundary)[:-40], \
            f"multipart/form-data; boundary={boundary}"
        yield "multipart without boundary", b"x=1", "multipart/form-data"

    # -- query strings ----------------------------------------------------------------
    def malformed_queries(self, client: Client, role: str, url: str) -> None:
        base_url, _sep, query = url.partition("?")
        names = [k for k, _v in urllib.parse.parse_qsl(query)] or ["x"]
        if any(part in base_url for part in ("console", "audit", "access-log")):
            names = sorted(set(names) | set(FILTER_PARAMS))
        for name in names:
            for label, value in (("invalid utf-8", "%FF%FE"), ("nul", "%00"),
                                 ("not a number", "abc"), ("huge number", "9" * 40),
                                 ("control", "%01%1B")):
                self.request(client, role, "get", f"{base_url}?{name}={value}",
                             f"query {name} {label}")
        self.request(client, role, "get", base_url + "?%FF%FE=1", "query invalid utf-8 name")
        self.request(client, role, "get", base_url.rstrip("/") + "/%FF%FE/", "path invalid utf-8")


def _as_typed(form: Form, name: str, value) -> list[tuple[str, object]]:
    """What a browser sends for the page's own values, with ``name`` set to ``value``."""
    pairs, done = [], False
    for f in form.fields:
        if f.kind in ("radio", "checkbox") and not f.checked and f.name != name:
            continue
        if f.name == name:
            if not done:
                pairs.append((name, value))
            done = True
            continue
        if f.kind == "file":
            pairs.append((f.name, ("", b"", "application/octet-stream")))
        elif f.kind == "select" and not f.value:
            pairs.append((f.name, next((o for o in f.options if o), "")))
        else:
            pairs.append((f.name, f.value))
    return pairs


def _short(value) -> str:
    if isinstance(value, tuple):
        return f"file {value[0]!r}"
    return repr(value[:12]) + ("…" if len(value) > 12 else "")


def _spoiled(form: Form, extra: bytes) -> list[tuple[str, bytes]]:
    return [(f.name, f.value.encode() + extra if f.kind != "file" else b"")
            for f in form.fields]


def journaled_reads(path: str, since_ns: int) -> Counter:
    """Read entries per log in the access journal since ``since_ns``."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return Counter(dict(db.execute(
            "SELECT log, count(*) FROM access_journal WHERE kind = 'read' AND at >= ?"
            " GROUP BY log", (since_ns,))))


def unjournaled(answered: Counter, journaled: Counter) -> str:
    missing = {log: n - journaled[log] for log, n in answered.items() if n > journaled[log]}
    lines = [f"\nreads answered: {sum(answered.values())} on {len(answered)} logs; read "
             f"entries journaled for them: {sum(journaled[log] for log in answered)}; "
             f"unjournaled reads: {sum(missing.values())}"]
    lines.extend(f"  log {log}: {n} answered reads without an entry"
                 for log, n in missing.items())
    return "\n".join(lines)


def _pattern(url: str) -> str:
    return ID.sub("{id}", url.split("?")[0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://localhost:6543")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--max-pages", type=int, default=150, help="pages crawled per role")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--rounds", type=int, default=6, help="hostile submissions per form")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--journal", help="the server's SQLite access journal, to count "
                                          "unjournaled reads")
    args = parser.parse_args(argv)
    base = args.base.rstrip("/")
    if urllib.parse.urlsplit(base).hostname not in LOOPBACK:
        parser.error("the probe writes into the database it probes: loopback only")
    probe = Probe(base, time.monotonic() + args.max_seconds, args.max_pages, args.rounds,
                  args.timeout)
    started_ns = time.time_ns()
    for role in ("anonymous", *args.roles.split(",")):
        if probe.time_left():
            probe.run_role(role)
    if not probe.time_left():
        print("(stopped at the time limit)")
    print(probe.tally.report())
    if args.journal:
        report = unjournaled(probe.tally.reads, journaled_reads(args.journal, started_ns))
        print(report)
        if "unjournaled reads: 0" not in report:
            return 1
    return 1 if probe.tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
