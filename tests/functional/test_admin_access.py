"""Who may use the consoles: every console URL refused for a holder, an actor, a guardian and
the leader of another unit; the superuser's pages refused for a unit leader (R1, R6). Then the
superuser's own journeys."""

from __future__ import annotations

import pytest

from stafett.scripts.demo import make_fnr, years_ago

from ..conftest import csrf_token, login


@pytest.fixture
def urls(read_root) -> dict:
    with read_root() as root:
        m = root["demo"]
        school = next(u for u in m.units.values() if u.name == "Solbakken skole")
        logs = {log.subject.name: log.id for log in m.logs.values()}
        larer = root.accounts["larer"].employee_id
        assistent = root.accounts["assistent"].employee_id
    unit = f"/demo/units/{school.id}/"
    person = f"{unit}employees/{larer}/"
    emma = logs["Emma Nordmann"]
    return {
        "get": [unit + "console", unit + "console-logs", unit + "console-staff",
                unit + "console-transfers", unit + "console-passive", unit + "console-consents",
                unit + "console-csv?table=states",
                f"{unit}console-delete?log={logs['Noah Hansen']}",
                f"{unit}console-supervise?log={emma}", person, person + "edit"],
        "post": [(unit + "console-children", {"children": "5"}),
                 (unit + "console-staff", {"name": "X"}),
                 (unit + "console-receive", {"log": emma, "action": "decline"}),
                 (unit + "console-reopen", {"log": emma}),
                 (unit + "console-delete", {"log": logs["Noah Hansen"], "confirm": "yes"}),
                 (unit + "console-supervise", {"log": emma}),
                 (person + "deactivate", {}), (person + "reactivate", {}),
                 (f"{unit}employees/{assistent}/deactivate", {}),
                 (person + "transfer", {"log": emma, "to": f"unit:{school.id}",
                                        "reason": "x"}),
                 (person + "edit", {"name": "X"})],
        "admin_get": ["/demo/admin", unit + "admin-unit"],
        "admin_post": [("/demo/admin", {"name": "X"}), (unit + "admin-unit", {"name": "X"}),
                       (unit + "admin-leader", {"name": "X"}),
                       (unit + "admin-appoint", {"employee": larer})],
        "school": unit, "larer": larer,
    }


@pytest.mark.parametrize("username", ["larer", "assistent", "forelder", "styrer", "superbruker"])
def test_r6_console_refused_for_everyone_but_the_units_leader(testapp, urls, read_root,
                                                                username):
    login(testapp, username)
    token = csrf_token(testapp.get("/"))
    for url in urls["get"]:
        response = testapp.get(url, status=403)
        assert "Emma" not in response.text and "Noah" not in response.text
    for url, data in urls["post"]:
        testapp.post(url, dict(data, csrf_token=token), status=403)
    with read_root() as root:
        m = root["demo"]
        assert m.employee(urls["larer"]).active
        assert all(e.active for e in m.employees.values())
        assert "Noah Hansen" in {log.subject.name for log in m.logs.values()}


def test_r6_leader_reaches_every_console_page(testapp, urls):
    login(testapp, "rektor")
    for url in urls["get"]:
        testapp.get(url, status=200)


def test_r1_superuser_pages_refused_for_a_unit_leader(testapp, urls):
    login(testapp, "rektor")
    token = csrf_token(testapp.get("/"))
    for url in urls["admin_get"]:
        testapp.get(url, status=403)
    for url, data in urls["admin_post"]:
        testapp.post(url, dict(data, csrf_token=token), status=403)


def test_console_post_without_csrf_is_refused(testapp, urls, read_root):
    login(testapp, "rektor")
    testapp.post(urls["school"] + "console-children", {"children": "5"}, status=400)
    with read_root() as root:
        school = next(u for u in root["demo"].units.values() if u.name == "Solbakken skole")
        assert school.children == 320


# -- the superuser (R1) ------------------------------------------------------------------------
def test_r1_superuser_sees_figures_and_adds_a_unit(testapp, read_root):
    login(testapp, "superbruker")
    page = testapp.get("/demo/admin")
    assert "Solbakken skole" in page.text and "Randi Rektor" in page.text
    form = page.forms["unit"]
    form["name"] = "Nordby ungdomsskole"
    form["service"] = "school"
    form["org_number"] = "12345"
    refused = form.submit("save")
    assert "nøyaktig 9 sifre" in refused.text and "Nordby ungdomsskole" in refused.text
    form = refused.forms["unit"]
    form["org_number"] = "999000009"
    form["children"] = "250"
    form.submit("save", status=303)
    with read_root() as root:
        unit = next(u for u in root["demo"].units.values() if u.name == "Nordby ungdomsskole")
        assert (unit.service, unit.org_number, unit.children) == ("school", "999000009", 250)


def test_r1_superuser_edits_a_unit(testapp, urls, read_root):
    login(testapp, "superbruker")
    page = testapp.get(urls["school"] + "admin-unit")
    form = page.forms["unit"]
    form["name"] = "Solbakken barneskole"
    form.submit("save", status=303)
    with read_root() as root:
        assert "Solbakken barneskole" in {u.name for u in root["demo"].units.values()}


def test_r1_superuser_adds_a_leader_with_exact_fodselsnummer(testapp, urls, read_root):
    login(testapp, "superbruker")
    page = testapp.get(urls["school"] + "admin-unit")
    form = page.forms["leader"]
    form["name"] = "Ny Rektor"
    form["fnr"] = "1234567890"
    refused = form.submit("add")
    assert "nøyaktig 11 sifre" in refused.text and "Ny Rektor" in refused.text
    form = refused.forms["leader"]
    form["fnr"] = make_fnr(years_ago(50), 3)
    form["username"] = "nyrektor"
    form.submit("add", status=303)
    with read_root() as root:
        new = next(e for e in root["demo"].employees.values() if e.name == "Ny Rektor")
        assert new.is_leader and new.active and root.accounts["nyrektor"].employee_id == new.id


def test_r1_superuser_replaces_the_unit_leader(testapp, urls, read_root):
    login(testapp, "superbruker")
    page = testapp.get(urls["school"] + "admin-unit")
    form = next(f for f in page.forms.values() if f.action.endswith("admin-appoint"))
    form["employee"] = urls["larer"]
    form["replace"] = True
    form.submit(status=303)
    with read_root() as root:
        m = root["demo"]
        assert m.employee(urls["larer"]).is_leader
        assert not m.employee(root.accounts["rektor"].employee_id).is_leader
    testapp.reset()
    login(testapp, "rektor")
    testapp.get(urls["school"] + "console", status=403)
    testapp.reset()
    login(testapp, "larer")
    testapp.get(urls["school"] + "console", status=200)
