"""A page costs what it shows (issue 9): the front page reads its user's own index entries,
not the municipality's; a log page reads its newest glimpses, not its whole history."""

from __future__ import annotations

import datetime as dt

import pytest
from ZODB.ActivityMonitor import ActivityMonitor

from stafett.models import (
    Consent,
    ConsentScope,
    Guardian,
    Log,
    Measure,
    Subject,
    Transfer,
    TransferKind,
)
from stafett.models.base import today
from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows import add_measure, create_log, fire, give_consent, propose_transfer
from stafett.workflows.content import add_concern, add_glimpse

from ..conftest import login


def _busy_logs(root, count: int, holder: str = "pedleder", first: int = 0) -> None:
    """``count`` running logs held by ``holder`` (by default in another unit), each with a
    measure due this week and a consent about to expire: the municipality's queues fill;
    the measured users' own entries do not."""
    m = root["demo"]
    holder = root.accounts[holder]
    employee = m.employee(holder.employee_id)
    for n in range(first, first + count):  # one log per child (R45)
        log = create_log(m, Log(Subject(f"Elev {n}", make_fnr(years_ago(10, days=n), 1)),
                                employee.id, employee.unit_id, 1), holder)
        guardian = log.guardians.add(Guardian("Forelder", "f@example.org"))
        give_consent(log, Consent([guardian.id], today(), ConsentScope.CREATE,
                                  expires=today() + dt.timedelta(days=10)), holder)
        fire(log, "activate", holder)
        concern = add_concern(log, {"text": "Leser lite.", "category": "learning"}, holder)
        add_measure(concern, Measure("Leser hver dag.", "home", "home", today(),
                                     today() + dt.timedelta(days=3)), holder)


def _loads(app, testapp, url: str) -> int:
    """Objects read from the storage to answer ``url`` with a cold cache."""
    db = app.registry._zodb_databases[""]
    monitor = ActivityMonitor()
    db.setActivityMonitor(monitor)
    db.cacheMinimize()
    assert testapp.get(url).status_int == 200
    return sum(row["loads"] for row in monitor.getActivityAnalysis(divisions=1))


@pytest.mark.parametrize("username", ["larer", "rektor", "forelder"])
def test_the_front_page_reads_the_same_however_busy_the_municipality(app, testapp, read_root,
                                                                     username):
    login(testapp, username)
    quiet = _loads(app, testapp, "/")
    with read_root() as root:
        _busy_logs(root, 300)
    busy = _loads(app, testapp, "/")
    # Each index tree it reads may grow a level (log n), but no walk of the 300 new logs.
    assert busy <= quiet + 12, (quiet, busy)


def test_a_leader_sees_a_few_of_the_units_expiring_consents_and_pages_the_rest(
        app, testapp, read_root):
    login(testapp, "rektor")
    with read_root() as root:
        _busy_logs(root, 30, holder="larer")  # rektor's own unit
    some = _loads(app, testapp, "/")
    with read_root() as root:
        _busy_logs(root, 100, holder="larer", first=30)
    assert _loads(app, testapp, "/") <= some + 12  # the same ten, not all 130
    more = testapp.get("/").html.find(
        "a", string="Flere samtykker i enheten går snart ut: se alle i konsollen")
    seen, url = [], more["href"]
    while url:
        page = testapp.get(url)
        rows = page.html.select("section.card")[0].select("tbody tr")
        assert len(rows) <= 50
        seen += [(row.a.get_text(), row.a["href"]) for row in rows]
        following = page.html.select("section.card")[0].find("a", string="Neste side")
        url = following["href"] if following else None
    assert len([name for name, _ in seen if name.startswith("Elev ")]) == 130
    assert len(seen) == len(set(seen))


def test_a_leader_sees_the_oldest_logs_offered_to_the_unit_and_a_link_to_the_rest(
        testapp, read_root):
    with read_root() as root:
        _busy_logs(root, 14)  # in the kindergarten
        m, proposer = root["demo"], root.accounts["pedleder"]
        school = m.employee(root.accounts["rektor"].employee_id).unit_id
        for log in m.logs.values():
            if log.subject.name.startswith("Elev "):
                propose_transfer(log, Transfer(TransferKind.UNIT, "Begynner på skolen.",
                                               proposer.uid, log.holder_id, to_unit_id=school),
                                 proposer)
    login(testapp, "rektor")
    front = testapp.get("/")
    assert len(front.html.select("section.incoming li")) == 10
    more = front.html.find("a", string="Flere logger er tilbudt enheten: se alle i konsollen")
    console = testapp.get(more["href"])
    assert len(console.html.select("article.incoming")) == 14
    testapp.reset()
    login(testapp, "larer")  # in the school, not its leader: none is offered to her
    assert not testapp.get("/").html.select("section.incoming")
    testapp.reset()
    login(testapp, "helsesykepleier")  # the demo offers Jonas to her by name (R19)
    offered = testapp.get("/").html.select("section.incoming li")
    assert [li.a.get_text() for li in offered] == ["Jonas Berg"]


def test_a_log_page_shows_the_newest_glimpses_a_page_at_a_time(app, testapp, read_root):
    with read_root() as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        for n in range(45):
            add_glimpse(emma, f"Lysglimt nummer {n:02d}.", root.accounts["larer"])
        url = f"/demo/logs/{emma.id}/"
    login(testapp, "larer")
    first = testapp.get(url)
    shown = [a.get_text() for a in first.html.select("article.glimpse p:first-child")]
    assert len(shown) == 20 and "nummer 44" in shown[0] and "nummer 25" in shown[-1]
    older = first.html.find("a", string="Eldre lysglimt")["href"]
    second = testapp.get(older)
    shown = [a.get_text() for a in second.html.select("article.glimpse p:first-child")]
    assert "nummer 24" in shown[0] and "nummer 05" in shown[-1]
    third = testapp.get(second.html.find("a", string="Eldre lysglimt")["href"])
    assert len(third.html.select("article.glimpse")) == 7  # 5 more and the demo's 2
    assert third.html.find("a", string="Eldre lysglimt") is None
    short_history = _loads(app, testapp, url)
    with read_root() as root:
        for n in range(300):
            add_glimpse(root["demo"].logs[emma.id], f"Flere {n}.", root.accounts["larer"])
    assert _loads(app, testapp, url) <= short_history + 4  # the newest 20, never all 345


def test_a_holder_of_many_logs_sees_a_page_of_them_and_can_ask_for_all(testapp, read_root):
    with read_root() as root:
        m = root["demo"]
        holder = root.accounts["larer"]
        employee = m.employee(holder.employee_id)
        for n in range(30):
            create_log(m, Log(Subject(f"Elev {n}", make_fnr(years_ago(8, days=n), 2)),
                              employee.id, employee.unit_id, 1), holder)
        held = len(list(m.index.ids("holder", employee.id)))
    login(testapp, "larer")
    page = testapp.get("/")
    table = page.html.select("section.card table.list")[0]
    assert len(table.select("tbody tr")) == 30
    all_link = page.html.find("a", string=f"Vis alle {held}")
    every = testapp.get(all_link["href"])
    assert len(every.html.select("section.card table.list")[0].select("tbody tr")) == held


def test_the_consoles_archive_copies_read_the_units_own_not_the_municipalitys(
        app, testapp, read_root, monkeypatch):
    from stafett.services import archive

    monkeypatch.setattr(archive.WORKER, "submit", lambda db, archived: None)  # HTML is enough
    with read_root() as root:
        m = root["demo"]
        school = m.employee(root.accounts["rektor"].employee_id).unit_id
        emma = next(log for log in m.logs.values() if log.subject.name == "Emma Nordmann")
        archive.archive_for_sending_unit(emma)
    url = f"/demo/units/{school}/console-archive-copies"
    login(testapp, "rektor")
    quiet = _loads(app, testapp, url)
    with read_root() as root:
        _busy_logs(root, 100)  # in the kindergarten, each leaving a copy there
        for log in list(root["demo"].logs.values()):
            if log.subject.name.startswith("Elev "):
                archive.archive_for_sending_unit(log)
    busy = _loads(app, testapp, url)
    assert busy <= quiet + 6, (quiet, busy)
