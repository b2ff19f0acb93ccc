"""Several app processes on one shared storage, as in production: a ZEO server on loopback
(one machine) and RelStorage on PostgreSQL (several machines). Two real processes (pserve
with waitress), started together on a fresh ``var/``, each see what the other wrote."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager

import pytest
import requests

from stafett.scripts.demo import DEMO_PASSWORD

from ..conftest import app_settings
from ..ports import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PSERVE = os.path.join(os.path.dirname(sys.executable), "pserve")


@pytest.fixture(params=["zeo", "relstorage"])
def storage_kind(request) -> str:
    return request.param


def write_ini(path, storage, var, port: int) -> str:
    """One app process's configuration: the shared storage; mail, uploads and (on one
    machine) the SQLite access journal under ``var``, which does not exist yet."""
    settings = app_settings(str(var / "Data.fs"), **storage.settings())
    if storage.kind == "zeo":
        settings["stafett.access_journal"] = f"sqlite://{var}/access.sqlite"
    path.write_text("[app:main]\nuse = egg:stafett\n"
                    + "".join(f"{k} = {v}\n" for k, v in settings.items())
                    + f"\n[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\n"
                    "threads = 4\n")
    return str(path)


@contextmanager
def app_processes(inis: list[str], logs: list[str]):
    """Start every process at once, then wait until each answers; stop them at the end."""
    with ExitStack() as stack:
        processes = []
        for ini, log in zip(inis, logs, strict=True):
            out = stack.enter_context(open(log, "wb"))
            process = subprocess.Popen([PSERVE, ini], cwd=ROOT, stdout=out, stderr=out,
                                       env=dict(os.environ, PYTHONPATH=ROOT))
            stack.callback(_stop, process)
            processes.append(process)
        urls = [_url_of(ini) for ini in inis]
        for process, url, log in zip(processes, urls, logs, strict=True):
            _wait_until_it_answers(process, url, log)
        yield urls


def _url_of(ini: str) -> str:
    return "http://" + re.search(r"listen = (\S+)", open(ini).read()).group(1)


def _wait_until_it_answers(process, url: str, log: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"an app process ended:\n{open(log).read()[-3000:]}")
        try:
            requests.get(url + "/login", timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url}")


def _stop(process) -> None:
    process.terminate()
    process.wait(timeout=30)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def logged_in(url: str, username: str) -> requests.Session:
    client = requests.Session()
    page = client.get(url + "/login").text
    done = client.post(url + "/login", allow_redirects=False, data={
        "csrf_token": _csrf(page), "username": username, "password": DEMO_PASSWORD,
        "otp": "", "submit": "submit"})
    assert done.status_code == 303, done.status_code
    return client


def add_glimpse(client: requests.Session, url: str, log_path: str, text: str) -> None:
    form = client.get(url + log_path + "add-glimpse").text
    done = client.post(url + log_path + "add-glimpse", allow_redirects=False, data={
        "csrf_token": _csrf(form), "text": text, "save": "save"})
    assert done.status_code == 303, done.status_code


def emmas_log(storage) -> str:
    db = storage.open_db()
    try:
        conn = db.open()
        logs = conn.root()["stafett"]["demo"].logs.values()
        log_id = next(log.id for log in logs if log.subject.name == "Emma Nordmann")
        conn.close()
    finally:
        db.close()
    return f"/demo/logs/{log_id}/"


def test_two_app_processes_started_together_see_each_others_writes(storage, tmp_path):
    var = tmp_path / "var"
    inis = [write_ini(tmp_path / f"app{n}.ini", storage, var, free_port()) for n in (1, 2)]
    log_path = emmas_log(storage)
    with app_processes(inis, [str(tmp_path / f"app{n}.log") for n in (1, 2)]) as urls:
        first, second = (logged_in(url, "larer") for url in urls)
        texts = [f"Skrevet gjennom prosess {n} ({secrets.token_hex(4)})." for n in (1, 2)]
        add_glimpse(first, urls[0], log_path, texts[0])
        assert texts[0] in second.get(urls[1] + log_path).text
        add_glimpse(second, urls[1], log_path, texts[1])
        assert texts[1] in first.get(urls[0] + log_path).text
    # both processes sent the family the glimpses' notices into the one mail folder
    assert len(os.listdir(var / "mail" / log_path.strip("/").split("/")[-1])) >= 2
