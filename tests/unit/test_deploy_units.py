"""The systemd units in deploy/systemd/: they parse (and pass ``systemd-analyze verify`` when
the machine has it), each starts a program that this package or its dependencies install,
with a configuration file the repository ships, under the hardening the README promises."""

from __future__ import annotations

import configparser
import importlib.metadata
import pathlib
import shlex
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).parents[2]
UNITS = REPO / "deploy" / "systemd"
VENV_BIN = "/opt/stafett/venv/bin/"
# Where the README's install steps put the repository's files.
INSTALLED = {"/etc/stafett/production.ini": REPO / "production.ini",
             "/etc/stafett/zeo.conf": REPO / "deploy" / "zeo.conf"}
FROM_DEPENDENCIES = {"pserve": "pyramid", "runzeo": "ZEO"}
HARDENING = {"User": "stafett", "Group": "stafett", "ProtectSystem": "strict",
             "NoNewPrivileges": "true", "PrivateTmp": "true", "ProtectHome": "true"}
SERVICES = sorted(UNITS.glob("*.service"))


def unit(path: pathlib.Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def console_scripts() -> dict[str, str]:
    setup = configparser.ConfigParser()
    setup.read(REPO / "setup.cfg")
    lines = setup["options.entry_points"]["console_scripts"].strip().splitlines()
    return dict(tuple(part.strip() for part in line.split("=", 1)) for line in lines)


def installs_script(distribution: str, name: str) -> bool:
    scripts = importlib.metadata.distribution(distribution).entry_points
    return any(ep.group == "console_scripts" and ep.name == name for ep in scripts)


def test_there_is_a_unit_for_each_process():
    assert {p.name for p in SERVICES} == {"stafett@.service", "stafett-zeo.service",
                                         "stafett-backup.service"}
    assert (UNITS / "stafett-backup.timer").exists()
    assert unit(UNITS / "stafett-backup.timer")["Timer"]["Persistent"] == "true"


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_each_service_starts_a_known_program_with_a_shipped_config(path):
    argv = shlex.split(unit(path)["Service"]["ExecStart"])
    assert argv[0].startswith(VENV_BIN)
    program = argv[0].removeprefix(VENV_BIN)
    if program in FROM_DEPENDENCIES:
        assert installs_script(FROM_DEPENDENCIES[program], program)
    elif program == "stafett-backup" and program not in console_scripts():
        pytest.skip("stafett-backup is added by the backups work (issue 13, item 4)")
    else:
        assert program in console_scripts()
    configs = [arg for arg in argv if arg.startswith("/etc/stafett/")]
    assert configs and all(INSTALLED[c].exists() for c in configs)


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_each_service_runs_hardened_as_stafett(path):
    service = unit(path)["Service"]
    assert {key: service.get(key) for key in HARDENING} == HARDENING
    assert "/var/lib/stafett" in service["ReadWritePaths"].split()


def test_app_processes_are_one_instance_per_port_on_loopback():
    argv = shlex.split(unit(UNITS / "stafett@.service")["Service"]["ExecStart"])
    assert "http_port=%i" in argv
    ini = configparser.RawConfigParser()
    ini.read(REPO / "production.ini")
    assert ini.get("server:main", "listen", raw=True) == "127.0.0.1:%(http_port)s"


def test_zeo_conf_serves_the_documented_file_on_loopback(tmp_path):
    from ZEO.runzeo import ZEOOptions

    text = (REPO / "deploy" / "zeo.conf").read_text()
    assert "path /var/lib/stafett/Data.fs" in text
    (tmp_path / "zeo.conf").write_text(text.replace("/var/lib/stafett", str(tmp_path)))
    options = ZEOOptions()
    options.realize(["-C", str(tmp_path / "zeo.conf")])
    assert options.address == ("127.0.0.1", 8100)
    assert options.storages[0].config.path == str(tmp_path / "Data.fs")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_finds_nothing_but_the_missing_install(tmp_path):
    """Outside a real install the programs under /opt/stafett do not exist; that is the
    only complaint allowed."""
    for path in UNITS.iterdir():
        name = path.name.replace("@.", "@6543.")  # a template is verified as an instance
        shutil.copy(path, tmp_path / name)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True, text=True, timeout=120)
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if line.strip() and f"Command {VENV_BIN}" not in line]
    assert complaints == []
