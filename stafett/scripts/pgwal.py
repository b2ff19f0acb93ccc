"""PostgreSQL's incremental backups: a base backup (``pg_basebackup``) now and then, and the
write-ahead log archived by the server in between, for ``stafett-backup --pg-wal`` and
``stafett-restore --pg-data``.

The server archives each finished WAL segment itself; its ``postgresql.conf`` names the
backup set's ``pg/wal`` folder (README, "Backups and restore")::

    archive_mode = on
    archive_command = 'test ! -f /backup/stafett/pg/wal/%f && cp %p /backup/stafett/pg/wal/%f'
    archive_timeout = 300

A run takes a base backup (``pg/base-<time>/``: ``base.tar.gz``, ``pg_wal.tar.gz``,
``backup_manifest``) when the newest is older than ``full_days``; otherwise it closes the
current WAL segment and waits until the server has archived it, so the run's backup holds
every transaction committed before it started. A restore unpacks the newest base backup at or
before the chosen time into a new data folder and lets PostgreSQL replay the archive up to
that time (``recovery.signal``, ``restore_command``, ``recovery_target_time``).
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import tarfile
import time

PG_DIR = "pg"
WAL_DIR = os.path.join(PG_DIR, "wal")
START_WAL = re.compile(r"^START WAL LOCATION: .* \(file ([0-9A-F]{24})\)$", re.MULTILINE)
ARCHIVE_WAIT_SECONDS = 120


def bases(folder: str) -> list[str]:
    """The base backups' folder names, oldest first (``base-<stamp>``)."""
    return sorted(os.path.basename(path) for path in
                  glob.glob(os.path.join(folder, PG_DIR, "base-*")) if os.path.isdir(path))


def run(folder: str, url: str, stamp: str, full_days: float, run_pg) -> str:
    """One run: a base backup, or the current WAL segment archived. Returns what it did."""
    os.makedirs(os.path.join(folder, WAL_DIR), exist_ok=True)
    taken = bases(folder)
    newest = taken[-1].removeprefix("base-") if taken else ""
    limit = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(time.time() - full_days * 86400))
    if not newest or newest <= limit:
        target = os.path.join(folder, PG_DIR, f"base-{stamp}")
        run_pg("pg_basebackup", "-d", url, "-D", target, "-Ft", "-z", "-X", "stream",
               "--checkpoint=fast")
        return os.path.relpath(target, folder)
    segment = run_pg("psql", "-d", url, "-At", "-c",
                     "SELECT pg_walfile_name(pg_switch_wal())").strip()
    _wait_for(os.path.join(folder, WAL_DIR, segment))
    return os.path.join(WAL_DIR, segment)


def _wait_for(path: str) -> None:
    """The server archives asynchronously; a backup run is done when its segment is there."""
    deadline = time.monotonic() + ARCHIVE_WAIT_SECONDS
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise SystemExit(f"stafett-backup: PostgreSQL has not archived {path}: check "
                             "archive_command and the server's log")
        time.sleep(0.2)


def prune(folder: str, cutoff: str, run_pg) -> list[str]:
    """Remove each base backup whose successor is older than ``cutoff`` (its window of
    recovery ended before it), then the WAL the oldest kept base does not need."""
    taken, removed = bases(folder), []
    for base, successor in zip(taken, taken[1:], strict=False):
        if successor.removeprefix("base-") < cutoff:
            _remove_tree(os.path.join(folder, PG_DIR, base))
            removed.append(os.path.join(PG_DIR, base))
    kept = bases(folder)
    if removed and kept:
        wal = os.path.join(folder, WAL_DIR)
        before = set(os.listdir(wal))
        run_pg("pg_archivecleanup", wal, _start_wal(os.path.join(folder, PG_DIR, kept[0])))
        removed += [os.path.join(WAL_DIR, name) for name in sorted(before - set(os.listdir(wal)))]
    return removed


def _start_wal(base: str) -> str:
    with tarfile.open(os.path.join(base, "base.tar.gz")) as tar:
        label = tar.extractfile("backup_label").read().decode()
    return START_WAL.search(label).group(1)


def _remove_tree(path: str) -> None:
    for name in os.listdir(path):
        os.remove(os.path.join(path, name))
    os.rmdir(path)


def restore(folder: str, data: str, until: str | None) -> str:
    """Unpack the base backup for ``until`` (a UTC stamp, or the newest) into ``data`` and
    set PostgreSQL to replay the archive; start the server on ``data`` to finish."""
    taken = [b for b in bases(folder) if until is None or b.removeprefix("base-") <= until]
    if not taken:
        raise SystemExit("stafett-restore: no PostgreSQL base backup"
                         + (f" from before {until}" if until else ""))
    if os.path.exists(data) and os.listdir(data):
        raise SystemExit(f"stafett-restore: {data} is not empty; restore into a fresh place")
    base = os.path.join(folder, PG_DIR, taken[-1])
    os.makedirs(data, mode=0o700, exist_ok=True)
    os.chmod(data, 0o700)
    _unpack(os.path.join(base, "base.tar.gz"), data)
    _unpack(os.path.join(base, "pg_wal.tar.gz"), os.path.join(data, "pg_wal"))
    wal = os.path.abspath(os.path.join(folder, WAL_DIR))
    settings = [f"restore_command = 'cp \"{wal}/%f\" \"%p\"'"]
    if until:
        when = time.strftime("%Y-%m-%d %H:%M:%S+00", time.strptime(until, "%Y-%m-%d-%H-%M-%S"))
        settings += [f"recovery_target_time = '{when}'", "recovery_target_action = 'promote'"]
    with open(os.path.join(data, "postgresql.auto.conf"), "a") as conf:
        conf.write("\n# stafett-restore\n" + "\n".join(settings) + "\n")
    open(os.path.join(data, "recovery.signal"), "w").close()
    return taken[-1]


def _unpack(archive: str, target: str) -> None:
    os.makedirs(target, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")


def program_output(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{os.path.basename(command[0])} failed: {result.stderr.strip()}")
    return result.stdout
