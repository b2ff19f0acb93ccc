"""A real OpenID provider on loopback for the tests, configured like ID-porten
(tests/oidc_provider/provider.mjs, the npm package ``oidc-provider``, installed by
``make oidc``, which ``make test`` runs).

    with OidcProvider([client]) as provider:   # client: dict of OIDC client metadata
        provider.issuer                         # http://127.0.0.1:<port>

``log_in_at_provider(session, page, pid, acr)`` fills the provider's own login page for a
``requests`` session playing the browser; ``end_session(session)`` logs that browser out at
the provider, which then tells every client with a back-channel logout URI.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

from .ports import free_port

HERE = Path(__file__).parent / "oidc_provider"
START_SECONDS = 20



class OidcProvider:
    def __init__(self, clients: list[dict], port: int | None = None):
        if not (HERE / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("the test OpenID provider is not installed: run `make oidc`")
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.folder = tempfile.TemporaryDirectory(prefix="stafett-oidc-")
        config = Path(self.folder.name) / "config.json"
        config.write_text(json.dumps({"port": self.port, "clients": clients}))
        self.log = Path(self.folder.name) / "provider.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(["node", str(HERE / "provider.mjs"), str(config)],
                                            cwd=HERE, stdout=out, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the test OpenID provider did not start:\n{self.log.read_text()}")

    def metadata(self) -> dict:
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.folder.cleanup()

    def __enter__(self) -> OidcProvider:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def end_session(self, session: requests.Session) -> requests.Response:
        """The person logs out at the provider itself (not through Stafett)."""
        page = session.get(self.metadata()["end_session_endpoint"])
        return submit_form(session, page, {"logout": "yes"})


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def submit_form(session: requests.Session, page: requests.Response, values: dict,
                follow: bool = True) -> requests.Response:
    """Send the page's first form with its hidden fields and ``values``."""
    parser = _Forms()
    parser.feed(page.text)
    assert parser.forms, f"no form on {page.url}:\n{page.text[:500]}"
    form = parser.forms[0]
    return session.post(urljoin(page.url, form["action"]), data={**form["fields"], **values},
                        allow_redirects=follow)


def log_in_at_provider(session: requests.Session, page: requests.Response, pid: str,
                       acr: str = "idporten-loa-high", stop_at: str | None = None
                       ) -> requests.Response:
    """Fill the provider's login page; follow the provider's redirects until one leaves the
    provider (to the client's redirect URI), and return that redirect unfollowed."""
    assert 'id="pid"' in page.text, f"not the provider's login page: {page.url}"
    answer = submit_form(session, page, {"pid": pid, "acr": acr}, follow=False)
    issuer = page.url.split("/", 3)[:3]
    while answer.is_redirect:
        target = urljoin(answer.url, answer.headers["Location"])
        if target.split("/", 3)[:3] != issuer or (stop_at and target.startswith(stop_at)):
            answer.headers["Location"] = target
            return answer
        answer = session.get(target, allow_redirects=False)
    return answer


os.environ.setdefault("NODE_NO_WARNINGS", "1")
