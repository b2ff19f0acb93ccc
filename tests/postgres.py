"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary folder,
listening on a Unix socket only (no TCP port), stopped at the end of the session. Uses
Debian's server binaries, which ``make test`` installs (``make postgres``)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile


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
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "stafett", "-E", "UTF8")
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.folder, "server.log"),
                  "-w", "-o", f"-k {self.folder} -c listen_addresses='' -c fsync=on",
                  "start")

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host={self.folder} dbname={dbname} user=stafett"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql:///{dbname}?host={self.folder}&user=stafett"

    def create_database(self, name: str) -> str:
        import psycopg2

        conn = psycopg2.connect(self.dsn())
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return name

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
