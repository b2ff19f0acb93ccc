"""Need-to-know (R1, R6, R13): the superuser runs units and leaders but sees a unit's
children only where they lead that unit; a draft is for its holder and leader only."""

from __future__ import annotations

from ..conftest import login


def _unit_url(root, name: str) -> str:
    unit = next(u for u in root["demo"].units.values() if u.name == name)
    return f"/demo/units/{unit.id}/"


def test_r1_superuser_sees_children_only_in_a_unit_they_lead(testapp, read_root):
    with read_root() as root:
        ppt = _unit_url(root, "PPT")
        school = _unit_url(root, "Solbakken skole")
        superuser = root["demo"].employee(root.accounts["superbruker"].employee_id)
    login(testapp, "superbruker")
    assert testapp.get("/demo/admin").status_int == 200
    assert testapp.get(school + "admin-unit").status_int == 200
    for page in ("console", "console-logs", "console-consents", "console-passive",
                 "console-staff", "console-transfers"):
        response = testapp.get(school + page, status=403)
        assert "Emma" not in response.text
        testapp.get(ppt + page, status=403)
    with read_root() as root:
        root["demo"].employee(superuser.id).is_leader = True
    assert testapp.get(ppt + "console-logs").status_int == 200
    testapp.get(school + "console-logs", status=403)


def test_r13_a_draft_is_not_on_the_guardians_front_page(testapp, read_root):
    with read_root() as root:
        noah = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Noah Hansen")
        assert noah.state == "draft" and any(g.username == "nina"
                                             for g in noah.guardians.values())
        noah_url = f"/demo/logs/{noah.id}/"
    login(testapp, "nina")
    assert "Noah" not in testapp.get("/").text
    assert "Noah" not in testapp.get(noah_url, status=403).text
