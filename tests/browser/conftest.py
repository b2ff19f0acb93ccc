"""Browser tests: the real app served by waitress on 127.0.0.1, driven by Debian's Chromium.

Fixtures
- ``live_server``: the app over a copy of the demo database; ``.url``, ``.root()``.
  Shared by every browser test, so a test that changes data should use ``fresh_server``.
  It and ``browser`` are package-scoped: started once for tests/browser and stopped before
  the rest of the suite runs, so no server thread lingers while other tests fork processes.
- ``fresh_server``: a private server over a fresh copy of the demo database, for tests that
  change data (a log lifecycle, a form that saves).
- ``serve(**settings)``: starts one more server with extra settings (stopped after the test).
- ``browser``, ``new_page(server_url=None)``: a page in a fresh context (own
  cookies); ``page``: one such page on ``live_server``. An uncaught JavaScript error in any
  of them fails the test.
Helpers: ``login_as(page, username)``, ``logout(page)``, ``assert_accessible(page)``.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
import waitress
from playwright.sync_api import Browser, Page, expect, sync_playwright
from waitress import wasyncore

from stafett import main
from stafett.scripts import app_root_of
from stafett.scripts.demo import DEMO_PASSWORD

from ..conftest import app_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")


# -- live servers --------------------------------------------------------------------------
@dataclass
class LiveServer:
    url: str
    app: object

    def root(self):
        """The app's root outside any request, to arrange or inspect; commits on exit."""
        return app_root_of(self.app.registry._zodb_databases[""])

    def log_path(self, subject_name: str, municipality: str = "demo") -> str:
        """The path of the log about the named child (demo data has one log per name)."""
        with self.root() as root:
            for log in root[municipality].logs.values():
                if log.subject.name == subject_name:
                    return f"/{municipality}/logs/{log.id}/"
        raise LookupError(subject_name)


def _copy_datafs(source: str, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "Data.fs"
    shutil.copy(source, target)
    if os.path.exists(source + ".index"):
        shutil.copy(source + ".index", str(target) + ".index")
    return str(target)


@contextmanager
def running_server(datafs: str, port: int = 0, **extra_settings) -> Iterator[LiveServer]:
    """Serve the whole app over ``datafs`` with waitress in a thread, on ``port`` (a free
    local one by default)."""
    app = main({}, **app_settings(datafs, **extra_settings))
    server = waitress.create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.effective_port}", app=app)
    finally:
        # Close every socket from inside the server's own loop, which then ends.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        for database in app.registry._zodb_databases.values():
            database.close()


@pytest.fixture(scope="package")
def live_server(demo_datafs, tmp_path_factory) -> Iterator[LiveServer]:
    datafs = _copy_datafs(demo_datafs, tmp_path_factory.mktemp("browser-db"))
    with running_server(datafs) as server:
        yield server


@pytest.fixture
def serve(demo_datafs, tmp_path) -> Iterator[Callable[..., LiveServer]]:
    """Start servers with extra settings over fresh demo data, e.g. a short idle timeout."""
    with ExitStack() as servers:
        numbers = itertools.count()

        def start(**extra_settings) -> LiveServer:
            datafs = _copy_datafs(demo_datafs, tmp_path / f"db{next(numbers)}")
            return servers.enter_context(running_server(datafs, **extra_settings))

        yield start


@pytest.fixture
def fresh_server(serve) -> LiveServer:
    return serve()


@pytest.fixture(scope="package")
def base_url(live_server) -> str:
    return live_server.url


# -- browser -------------------------------------------------------------------------------
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request) -> Iterator[Callable[..., Page]]:
    """Open pages, each in its own context (own cookies, so own session and language);
    relative URLs go to ``server_url``, by default ``live_server``."""
    contexts, script_errors = [], []

    def open_page(server_url: str | None = None) -> Page:
        url = server_url or request.getfixturevalue("base_url")
        context = browser.new_context(base_url=url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        opened = context.new_page()
        opened.on("pageerror", lambda error: script_errors.append(f"{opened.url}: {error}"))
        return opened

    yield open_page
    for context in contexts:
        context.close()
    assert not script_errors, "JavaScript errors in the page:\n" + "\n".join(script_errors)


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def require_chromium(path: str = CHROMIUM) -> None:
    """Fail, never skip, without Debian's Chromium: a browser test that does not run is red."""
    if not os.path.exists(path):
        pytest.fail(f"Debian's Chromium is missing at {path}: run `make browser` (it "
                    "apt-installs the chromium package). The browser tests never download "
                    "a browser of their own.", pytrace=False)


# -- helpers -------------------------------------------------------------------------------
def login_as(page: Page, username: str, password: str = DEMO_PASSWORD) -> Page:
    """Fill and submit the real login form; wait until the app has let the user in."""
    page.goto("/login")
    form = page.locator("form#deform")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[name=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login$"))
    return page


def logout(page: Page) -> None:
    page.locator("form[action$='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def axe_script() -> Path:
    """axe-core as bundled by the axe-playwright-python package (setup.cfg, test extra)."""
    try:
        bundled = resources.files("axe_playwright_python") / "axe.min.js"
    except ModuleNotFoundError:
        pytest.fail("axe-core is missing: install the test extra (`make install`, or "
                    "`.venv/bin/pip install -e '.[test]'`), which brings axe-playwright-python.",
                    pytrace=False)
    return Path(str(bundled))


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot into ``$STAFETT_SCREENSHOTS`` when it is set: looked at by a
    person, never compared."""
    folder = os.environ.get("STAFETT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def assert_no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


def assert_accessible(page: Page, disable: tuple[str, ...] = ()) -> None:
    """Run axe-core in the page; fail on serious or critical violations, listed readably.

    ``disable`` names axe rules to skip; say why at the call site.
    """
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's CSP refuses
    # inline script, and rightly so.
    page.evaluate(axe_script().read_text(encoding="utf-8") + "\n;undefined")
    options = {"resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in disable}}
    results = page.evaluate("options => axe.run(document, options)", options)
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"accessibility violations on {page.url}:\n" + "\n".join(
        _describe(violation) for violation in blocking)


def _describe(violation: dict) -> str:
    targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
    more = len(violation["nodes"]) - 5
    return (f"- [{violation['impact']}] {violation['id']}: {violation['help']}\n"
            f"    at {targets}" + (f" (+{more} more)" if more > 0 else ""))
