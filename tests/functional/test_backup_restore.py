"""Backups and restore with the storages' own tools (issue 13): ``repozo`` for FileStorage,
SQLite's online backup and ``pg_dump``/``pg_restore`` for the access journal's SQL store.
A live app writes through HTTP, ``stafett-backup`` runs beside it, ``stafett-restore`` fills
a fresh installation, which holds the last acknowledged write and passes
``stafett-audit verify``. Retention (``--keep-days``) bounds how long a deleted child
survives in the backups (R17)."""

from __future__ import annotations

import datetime as dt
import glob
import gzip
import os
import pathlib
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
import transaction
import webtest
from ZODB import DB, FileStorage

from stafett import main as make_app
from stafett.access_journal import open_access_journal
from stafett.scripts import app_root_of
from stafett.scripts.backup import prune, sources
from stafett.scripts.restore import utc_stamp
from stafett.services.purge import erase_log

from ..conftest import app_settings, close_app, csrf_token, login
from ..postgres import PostgresServer, server_binaries

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRST = "Lysglimt skrevet før den fulle sikkerhetskopien."
LAST = "Siste kvitterte lysglimt før den inkrementelle kopien."


def run_script(module: str, *args: str) -> subprocess.CompletedProcess:
    """The console script ``stafett-<module>`` (run by its main(): the venv's entry points
    may predate the script)."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    code = f"import sys; from stafett.scripts.{module} import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args],
                          capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)


def write_ini(path, settings: dict) -> str:
    lines = ["[app:main]", "use = egg:stafett"]
    lines += [f"{key} = {value}" for key, value in settings.items()
              if key in ("zodbconn.uri", "stafett.access_journal")]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def emma_log(wsgi) -> str:
    with app_root_of(wsgi.registry._zodb_databases[""]) as root:
        return next(log.id for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")


def add_glimpse(testapp, log_url: str, text: str):
    token = csrf_token(testapp.get(log_url + "add-glimpse"))
    return testapp.post(log_url + "add-glimpse",
                        {"csrf_token": token, "text": text, "save": "save"}, status=303)


def newest_read(settings: dict) -> tuple:
    journal = open_access_journal(settings)
    try:
        return journal.entries("demo", "read", newest_first=True, limit=1)[0][0]
    finally:
        journal.close()


def backup(ini: str, folder, *extra: str) -> list[str]:
    result = run_script("backup", ini, "--to", str(folder), *extra)
    assert result.returncode == 0, result.stderr
    return [line.removeprefix("wrote ") for line in result.stdout.splitlines()]


def restore(ini: str, folder, *extra: str) -> None:
    result = run_script("restore", ini, "--from", str(folder), *extra)
    assert result.returncode == 0, result.stderr


def live_writes(settings: dict, backups, *extra: str) -> tuple[str, tuple]:
    """Through a live app: a glimpse, a full backup, the last glimpse (its 303), a read, an
    incremental backup. Returns the log id and the newest access-journal entry."""
    ini = write_ini(backups.parent / "live.ini", settings)
    wsgi = make_app({}, **settings)
    try:
        testapp = webtest.TestApp(wsgi)
        log_url = f"/demo/logs/{emma_log(wsgi)}/"
        login(testapp, "larer")
        add_glimpse(testapp, log_url, FIRST)
        full = backup(ini, backups, *extra)
        assert any(name.endswith(".fsz") for name in full)
        assert add_glimpse(testapp, log_url, LAST).status_int == 303
        testapp.get(log_url)
        last_read = newest_read(settings)
        incremental = backup(ini, backups, *extra)
        assert any(name.endswith(".deltafsz") for name in incremental), incremental
        return log_url, last_read
    finally:
        close_app(wsgi)


def check_restored(settings: dict, ini: str, log_url: str, last_read: tuple) -> None:
    """The restored installation passes the journal check, holds the newest access-journal
    entry and shows both glimpses to their author."""
    verified = run_script("audit", "verify", ini)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "access journal: ok" in verified.stdout
    assert newest_read(settings) == last_read
    wsgi = make_app({}, **settings)
    try:
        testapp = webtest.TestApp(wsgi)
        login(testapp, "larer")
        page = testapp.get(log_url)
        assert FIRST in page.text and LAST in page.text
    finally:
        close_app(wsgi)


# -- FileStorage and SQLite ------------------------------------------------------------------
def test_restore_of_filestorage_and_sqlite_holds_the_last_acknowledged_write(
        tmp_path, datafs):
    backups = tmp_path / "backups"
    log_url, last_read = live_writes(app_settings(datafs), backups)

    fresh = tmp_path / "restored" / "Data.fs"
    settings = app_settings(str(fresh))
    ini = write_ini(tmp_path / "restore.ini", settings)
    restore(ini, backups)
    check_restored(settings, ini, log_url, last_read)


def test_restore_until_a_time_takes_the_state_of_the_backup_before_it(tmp_path, datafs):
    backups = tmp_path / "backups"
    live_writes(app_settings(datafs), backups)
    full = min(glob.glob(str(backups / "zodb" / "*.fsz")))
    stamp = os.path.basename(full).split(".")[0]
    until = dt.datetime.strptime(stamp, "%Y-%m-%d-%H-%M-%S").isoformat()

    fresh = tmp_path / "then" / "Data.fs"
    restore(write_ini(tmp_path / "then.ini", app_settings(str(fresh))), backups,
            "--until", until)
    data = fresh.read_bytes()
    assert FIRST.encode() in data and LAST.encode() not in data


def test_restore_refuses_to_overwrite_a_database(tmp_path, datafs):
    backups = tmp_path / "backups"
    settings = app_settings(datafs)
    ini = write_ini(tmp_path / "live.ini", settings)
    open_access_journal(settings).close()
    backup(ini, backups)
    result = run_script("restore", ini, "--from", str(backups))
    assert result.returncode != 0 and "exists" in result.stderr


# -- PostgreSQL --------------------------------------------------------------------------------
def test_restore_of_a_postgresql_journal_into_a_new_cluster(tmp_path, datafs, postgres):
    live = postgres.create_database("backup_live")
    backups = tmp_path / "backups"
    log_url, last_read = live_writes(
        app_settings(datafs, **{"stafett.access_journal": postgres.url(live)}), backups)
    assert glob.glob(str(backups / "sql" / "journal-*.pgdump"))

    other = PostgresServer()
    try:
        fresh = tmp_path / "restored" / "Data.fs"
        settings = app_settings(
            str(fresh), **{"stafett.access_journal": other.url(other.create_database("back"))})
        ini = write_ini(tmp_path / "restore.ini", settings)
        restore(ini, backups)
        check_restored(settings, ini, log_url, last_read)
    finally:
        other.stop()


def archiving_server(wal: str) -> PostgresServer:
    """A cluster of its own whose server archives each WAL segment into ``wal``."""
    import psycopg2

    server = PostgresServer()
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("ALTER SYSTEM SET archive_mode = on")
        cur.execute("ALTER SYSTEM SET archive_command = %s",
                    (f"test ! -f {wal}/%f && cp %p {wal}/%f",))
    conn.close()
    server._run("pg_ctl", "-D", server.data, "-l", os.path.join(server.folder, "server.log"),
                "-w", "restart")  # archive_mode needs a restart
    return server


def started_on(folder: str) -> PostgresServer:
    """A server on the data folder ``stafett-restore --pg-data`` made, once it has replayed
    the archive and left recovery."""
    import psycopg2

    server = PostgresServer.__new__(PostgresServer)
    server.bin, server.folder = server_binaries(), folder
    # Its own socket folder and no TCP: the default port cannot clash with another server.
    server.data, server.port = os.path.join(folder, "data"), 5432
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        for place, _dirs, files in os.walk(server.data):
            for name in [place, *(os.path.join(place, f) for f in files)]:
                os.chown(name, account.pw_uid, account.pw_gid)
    server._run("pg_ctl", "-D", server.data, "-l", os.path.join(folder, "server.log"), "-w",
                "-o", f"-k {folder} -p {server.port} -c listen_addresses=''", "start")
    for _ in range(600):
        conn = psycopg2.connect(server.dsn())
        with conn.cursor() as cur:
            cur.execute("SELECT pg_is_in_recovery()")
            recovering = cur.fetchone()[0]
        conn.close()
        if not recovering:
            return server
        time.sleep(0.2)
    raise AssertionError("the restored server stays in recovery")


def test_point_in_time_restore_of_postgresql_from_base_backup_and_wal(tmp_path, datafs):
    """``--pg-wal``: the first run takes a base backup, the next one only makes the server
    archive the WAL written since; a new cluster from the base backup replays the archive and
    holds the last access-journal entry."""
    backups = tempfile.mkdtemp(prefix="stafett-backups-")
    os.chmod(backups, 0o755)  # the server (user postgres) archives into it and reads it back
    wal = os.path.join(backups, "pg", "wal")
    os.makedirs(wal)
    os.chmod(wal, 0o777)
    live = archiving_server(wal)
    restored = None
    try:
        settings = app_settings(datafs, **{"stafett.access_journal": live.url(
            live.create_database("backup_wal"))})
        log_url, last_read = live_writes(settings, pathlib.Path(backups), "--pg-wal")
        assert len(glob.glob(os.path.join(backups, "pg", "base-*"))) == 1
        assert not glob.glob(os.path.join(backups, "sql", "*.pgdump"))

        folder = tempfile.mkdtemp(prefix="stafett-pg-restored-")
        os.chmod(folder, 0o777)
        fresh = tmp_path / "restored" / "Data.fs"
        settings = app_settings(str(fresh), **{
            "stafett.access_journal": f"postgresql:///backup_wal?host={folder}&user=stafett"})
        ini = write_ini(tmp_path / "restore.ini", settings)
        restore(ini, backups, "--pg-data", os.path.join(folder, "data"))
        restored = started_on(folder)
        check_restored(settings, ini, log_url, last_read)

        first = glob.glob(os.path.join(backups, "pg", "base-*"))
        segments = set(os.listdir(wal))
        backup(write_ini(tmp_path / "live.ini", app_settings(datafs, **{
            "stafett.access_journal": live.url("backup_wal")})), backups, "--pg-wal",
            "--full-days", "0")
        removed = prune(backups, keep_days=30, now=_in_days(31))
        assert glob.glob(os.path.join(backups, "pg", "base-*")) != first
        assert os.path.join("pg", os.path.basename(first[0])) in removed
        assert segments - set(os.listdir(wal))  # the WAL only the old base needed
    finally:
        for server in (restored, live):
            if server is not None:
                server.stop()
        shutil.rmtree(backups, ignore_errors=True)


# -- deletions a restore brings back (R17) ----------------------------------------------------
def test_deletions_to_redo_names_a_deleted_log_that_a_restore_brought_back(tmp_path, datafs):
    """The restored database is from before a deletion; the reference (the installation as
    it was) has the tombstone, and the script names the log until it is deleted again."""
    then = tmp_path / "then" / "Data.fs"
    then.parent.mkdir()
    shutil.copy(datafs, then)
    deleted = _erase_emma(datafs)
    restored = write_ini(tmp_path / "restored.ini", {"zodbconn.uri": f"file://{then}"})
    reference = write_ini(tmp_path / "reference.ini", {"zodbconn.uri": f"file://{datafs}"})

    found = run_script("deletions", restored, "--reference", reference)
    assert found.returncode == 1, found.stderr
    assert f"demo/logs/{deleted}: deleted" in found.stdout
    assert "Emma" not in found.stdout  # ids only

    _erase_emma(str(then))
    again = run_script("deletions", restored, "--reference", reference)
    assert again.returncode == 0 and "0 deleted logs" in again.stdout


def _erase_emma(datafs: str) -> str:
    db = DB(FileStorage.FileStorage(datafs))
    try:
        with app_root_of(db) as root:
            log = next(log for log in root["demo"].logs.values()
                       if log.subject.name == "Emma Nordmann")
            erase_log(log, deleted_by="superbruker", reason="other")
            return log.id
    finally:
        db.close()


# -- what each part is -------------------------------------------------------------------------
def test_sources_name_each_part_once_and_refuse_what_they_cannot_copy():
    relstorage = "postgres://stafett@db:5432/stafett?keep_history=false"
    found = sources({"zodbconn.uri": relstorage})
    assert found.dumps == {"objects": "postgresql://stafett@db:5432/stafett"}  # journal too
    assert found.datafs is None and found.sqlite is None
    with pytest.raises(SystemExit, match="--datafs"):
        sources({"zodbconn.uri": "zeo://127.0.0.1:8100",
                 "stafett.access_journal": "sqlite:////var/a.sqlite"})
    with pytest.raises(SystemExit, match="blob"):
        sources({"zodbconn.uri": "file:///var/Data.fs?blobstorage_dir=/var/blobs"})
    assert utc_stamp("2026-12-05T03:00+01:00") == "2026-12-05-02-00-00"  # repozo's UTC
    assert utc_stamp("2026-12-05T03:00") == "2026-12-05-03-00-00"


# -- retention and R17 -------------------------------------------------------------------------
def _commit(db, change) -> None:
    with transaction.manager:
        change(db.open().root())


def _holding(folder, text: bytes) -> list[str]:
    found = []
    for path in glob.glob(os.path.join(folder, "*", "*")):
        with open(path, "rb") as file:
            data = file.read()
        if path.endswith(("fsz", "deltafsz")):
            data = gzip.decompress(data)
        if text in data:
            found.append(os.path.basename(path))
    return found


def test_keep_days_removes_a_deleted_childs_chain_and_never_the_newest_full(tmp_path):
    """The child is written, backed up, deleted and packed away; the next backup starts a new
    chain, and once the old chain is older than --keep-days no file holds the child."""
    datafs, backups, child = tmp_path / "Data.fs", tmp_path / "backups", b"Noah Nordmann 0101"
    ini = write_ini(tmp_path / "live.ini", {"zodbconn.uri": f"file://{datafs}"})
    open_access_journal({"zodbconn.uri": f"file://{datafs}"}).close()  # beside Data.fs
    db = DB(FileStorage.FileStorage(str(datafs)))
    try:
        _commit(db, lambda root: root.update(child=child.decode()))
        backup(ini, backups)
        _commit(db, lambda root: root.update(other="x"))
        backup(ini, backups)  # incremental: the chain depends on the full
        _commit(db, lambda root: root.pop("child"))
        db.pack()
        after_pack = backup(ini, backups)
    finally:
        db.close()
    assert any(name.endswith(".fsz") for name in after_pack)  # a pack starts a new chain
    assert len(_holding(backups, child)) >= 1  # the old chain holds it

    assert prune(str(backups), keep_days=30) == []  # nothing old enough yet
    removed = prune(str(backups), keep_days=30, now=_in_days(31))
    assert any(name.endswith(".fsz") for name in removed)
    assert any(name.endswith(".deltafsz") for name in removed)
    assert _holding(backups, child) == []
    assert len(glob.glob(str(backups / "zodb" / "*.fsz"))) == 1  # the newest full stays
    assert len(glob.glob(str(backups / "sql" / "journal-*.sqlite"))) == 1

    assert prune(str(backups), keep_days=30, now=_in_days(400)) == []
    restored = tmp_path / "restored" / "Data.fs"
    restore(write_ini(tmp_path / "r.ini", {"zodbconn.uri": f"file://{restored}"}), backups)
    db = DB(FileStorage.FileStorage(str(restored), read_only=True))
    try:
        assert dict(db.open().root()) == {"other": "x"}
    finally:
        db.close()


def _in_days(days: float) -> float:
    return dt.datetime.now(dt.UTC).timestamp() + days * 86400
