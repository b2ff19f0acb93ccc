"""R43: a practice municipality is made once per real municipality, filled with the
fictive families, and its logins are never found by fødselsnummer."""

from __future__ import annotations

import pytest

from stafett.models.base import DomainError
from stafett.models.indexes import person_key
from stafett.scripts.demo import make_fnr, years_ago
from stafett.scripts.municipality import main as municipality_script
from stafett.services.staff import found_municipality
from stafett.workflows.practice import open_practice, reset_practice


def test_r43_a_practice_municipality_is_made_once_and_filled(root):
    real = found_municipality(root, "bodo", "Bodø kommune", "1804")
    practice = open_practice(root, real)
    assert (practice.id, practice.practice_of, real.practice) == ("bodo-kurs", "bodo",
                                                                  "bodo-kurs")
    assert open_practice(root, real) is practice
    assert {"Emma Nordmann", "Sara Lund"} <= {log.subject.name for log in practice.logs.values()}
    accounts = [a for a in root.accounts.values() if a.municipality == "bodo-kurs"]
    assert accounts and all(a.username.startswith("bodo-kurs.") for a in accounts)
    assert not any(person_key(a.fnr) in root.accounts_by_fnr for a in accounts if a.fnr)
    with pytest.raises(DomainError):
        open_practice(root, practice)
    with pytest.raises(DomainError):
        reset_practice(real, None)


def test_r43_the_municipality_script_opens_the_practice_municipality(tmp_path, capsys):
    ini = tmp_path / "app.ini"
    ini.write_text(f"[app:main]\nuse = egg:stafett\nzodbconn.uri = file://{tmp_path}/Data.fs\n")
    assert municipality_script([str(ini), "create", "--slug", "bodo", "--name", "Bodø kommune",
                                "--number", "1804", "--superuser-name", "Siri Superbruker",
                                "--superuser-fnr", make_fnr(years_ago(40))]) == 0
    capsys.readouterr()
    assert municipality_script([str(ini), "practice", "--slug", "bodo"]) == 0
    assert "/bodo-kurs/practice" in capsys.readouterr().out


def test_r43_an_id_porten_login_never_lands_in_the_practice_municipality(root):
    from stafett.models.org import Employee
    from stafett.services.people import sign_in, sign_in_to_ask

    real = found_municipality(root, "bodo", "Bodø kommune", "1804")
    practice = open_practice(root, real)
    typed = make_fnr(years_ago(35), 333)  # a real person's number typed in the practice
    unit = next(iter(practice.units.values()))
    unit.add_employee(Employee("Ekte Person", typed, may_hold=True))
    assert sign_in(root, typed) is None
    assert sign_in_to_ask(root, typed, practice.id) is None
