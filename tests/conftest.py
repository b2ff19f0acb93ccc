"""Fixtures: in-memory ZODB for unit tests; a real FileStorage with demo data for
functional tests (built once per session, copied per test)."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import transaction
import webtest
from ZODB import DB, FileStorage
from ZODB.MappingStorage import MappingStorage

from stafett.scripts import app_root_of
from stafett.scripts.catalogs import compile_catalogs
from stafett.scripts.demo import DEMO_PASSWORD, load_demo
from stafett.storage import app_root

from .world import World


@pytest.fixture(scope="session", autouse=True)
def catalogs():
    compile_catalogs()


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL server for the session, on a Unix socket in a temporary folder."""
    from .postgres import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


# -- unit tests: memory storage -------------------------------------------------------------
@pytest.fixture
def db():
    database = DB(MappingStorage())
    yield database
    database.close()


@pytest.fixture
def tm():
    manager = transaction.TransactionManager()
    yield manager
    manager.abort()


@pytest.fixture
def conn(db, tm):
    connection = db.open(transaction_manager=tm)
    yield connection
    tm.abort()
    connection.close()


@pytest.fixture
def root(conn):
    return app_root(conn)


@pytest.fixture
def world(root, tm) -> World:
    built = World(root)
    tm.savepoint()
    return built


# -- functional tests: real FileStorage ------------------------------------------------------
@pytest.fixture(scope="session")
def demo_datafs(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("demo-db")
    path = str(folder / "Data.fs")
    database = DB(FileStorage.FileStorage(path))
    with transaction.manager as txn:
        conn = database.open(transaction_manager=transaction.manager)
        load_demo(app_root(conn))
        txn.note("demo data")
    conn.close()
    database.close()
    return path


def app_settings(datafs: str, **extra) -> dict:
    settings = {
        "zodbconn.uri": f"file://{datafs}",
        "tm.manager_hook": "pyramid_tm.explicit_manager",
        "retry.attempts": "5",
        "pyramid.default_locale_name": "nb",
        "stafett.session_secret": "test-secret",
        "stafett.local_login": "all",
        "stafett.mail_delivery": "files",
        "mail.top_level_directory": os.path.join(os.path.dirname(datafs), "mail"),
        "stafett.access_journal": f"sqlite://{os.path.dirname(datafs)}/access.sqlite",
        "stafett.upload_dir": os.path.join(os.path.dirname(datafs), "uploads"),
        "stafett.nightly": "off",  # no scheduler thread; tests of it turn it on
        "stafett.archive.folder": _archive_folder(datafs),
    }
    settings.update(extra)
    return settings


def _archive_folder(datafs: str) -> str:
    """The drop folder for archive packages: the test's own, never the repo's, and outside
    the folder whose files a test searches for what the storage keeps (the packages name
    the child, as the archive needs)."""
    folder = os.path.dirname(datafs) + "-archive-out"
    os.makedirs(folder, exist_ok=True)
    return folder


@pytest.fixture
def datafs(tmp_path, demo_datafs) -> str:
    target = tmp_path / "Data.fs"
    shutil.copy(demo_datafs, target)
    if os.path.exists(demo_datafs + ".index"):
        shutil.copy(demo_datafs + ".index", str(target) + ".index")
    return str(target)


# -- the same tests on every storage (tests/storages.py) -------------------------------------
@pytest.fixture
def storage_kind() -> str:
    """The storage ``app`` runs on: file. A module whose tests must hold on every storage
    overrides this fixture with ``params=storages.KINDS`` (file, zeo, relstorage)."""
    return "file"


@pytest.fixture
def storage(storage_kind, datafs, tmp_path, request):
    """The demo data on the storage of ``storage_kind`` (file: the ``datafs`` copy)."""
    from .storages import storage_of

    with storage_of(storage_kind, tmp_path, datafs, request) as made:
        yield made


@pytest.fixture(scope="session")
def demo_relstorage(postgres, demo_datafs) -> str:
    """A PostgreSQL database holding the demo data, the template of each test's own."""
    from .storages import load_into_relstorage

    load_into_relstorage(postgres, "demo_template", demo_datafs)
    return "demo_template"


@pytest.fixture
def app(storage):
    from stafett import main

    wsgi = main({}, **app_settings(storage.datafs, **storage.settings()))
    yield wsgi
    close_app(wsgi)


def close_app(wsgi) -> None:
    from stafett.services import archive, archive_delivery

    archive.WORKER.wait()  # a PDF still being made uses a connection of these databases
    archive_delivery.WORKER.wait()  # and so does a package being delivered
    for database in wsgi.registry._zodb_databases.values():
        database.close()
    wsgi.registry.access_journal.close()


@pytest.fixture
def access(app):
    """The demo municipality's part of the app's access journal (reads, logins, refusals)."""
    return app.registry.access_journal.for_municipality("demo")


@pytest.fixture
def testapp(app) -> webtest.TestApp:
    return webtest.TestApp(app)


@pytest.fixture
def app_db(app):
    return app.registry._zodb_databases[""]


@pytest.fixture
def read_root(app_db):
    """Open the app's database outside any request, to arrange or inspect; commits on exit."""
    return lambda: app_root_of(app_db)


def login(testapp: webtest.TestApp, username: str, password: str = DEMO_PASSWORD,
          otp: str = "") -> webtest.TestResponse:
    page = testapp.get("/login")
    form = page.forms["deform"]
    form["username"] = username
    form["password"] = password
    form["otp"] = otp
    return form.submit("submit")


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match, "page has no CSRF token"
    return match.group(1)
