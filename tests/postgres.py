"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary folder,
listening on a Unix socket and on a free port of 127.0.0.1 (RelStorage's zodburi address
takes a host and a port only), stopped at the end of the session. Uses Debian's server
binaries, which ``make test`` installs (``make postgres``)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile

from .ports import free_port


def server_binaries() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL's server is not installed: run `make postgres`")
    return os.path.dirname(found[-1])


class PostgresServer:
    def __init__(self) -> None:
        self.bin = server_binaries()
        self.folder = tempfile.mkdtemp(prefix="stafett-pg-")
        os.chmod(self.folder, 0o777)
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "stafett", "-E", "UTF8")
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.folder, "server.log"),
                  "-w", "-o", f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1"
                  " -c fsync=on", "start")

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host={self.folder} port={self.port} dbname={dbname} user=stafett"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql:///{dbname}?host={self.folder}&port={self.port}&user=stafett"

    def relstorage_uri(self, dbname: str, **options: str) -> str:
        """The zodburi address of RelStorage on ``dbname``, in the form production.ini
        documents (user@host:port/db, history-free)."""
        query = "&".join(f"{k}={v}" for k, v in {"keep_history": "false", **options}.items())
        return f"postgres://stafett@127.0.0.1:{self.port}/{dbname}?{query}"

    def create_database(self, name: str) -> str:
        import psycopg2

        conn = psycopg2.connect(self.dsn())
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return name

    def sql(self, dbname: str, statement: str) -> list[tuple]:
        """One statement in autocommit (VACUUM, CHECKPOINT need it); its rows, if any."""
        import psycopg2

        conn = psycopg2.connect(self.dsn(dbname))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        """As the ``postgres`` user when root: the server refuses to run as root."""
        user = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            user = {"user": account.pw_uid, "group": account.pw_gid}
        subprocess.run([os.path.join(self.bin, program), *args], check=True,
                       capture_output=True, timeout=120, **user)


