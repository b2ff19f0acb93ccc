"""Guardians who live apart, and protected addresses (R9, R44): each guardian's e-mail and
phone reach the holder, and the guardian themselves, but not the other guardian; protected
details (fortrolig adresse) reach the holder only."""

from __future__ import annotations

import pytest

from ..conftest import login

OLA, KARI = "forelder@example.org", "forelder2@example.org"


@pytest.fixture
def emma(read_root):
    def arrange(live_together: bool, kari_protected: bool = False) -> str:
        with read_root() as root:
            log = next(x for x in root["demo"].logs.values()
                       if x.subject.name == "Emma Nordmann")
            log.guardians_live_together = live_together
            kari = next(g for g in log.guardians.values() if g.username == "forelder2")
            kari.protected = kari_protected
            return f"/demo/logs/{log.id}/"
    return arrange


def _page_as(testapp, username, url) -> str:
    testapp.reset()
    login(testapp, username)
    return testapp.get(url).text


def test_r44_guardians_living_apart_do_not_see_each_others_contact_details(testapp, emma):
    url = emma(live_together=False)
    ola_sees = _page_as(testapp, "forelder", url)
    assert OLA in ola_sees and KARI not in ola_sees and "Kari Nordmann" in ola_sees
    kari_sees = _page_as(testapp, "forelder2", url)
    assert KARI in kari_sees and OLA not in kari_sees
    holder_sees = _page_as(testapp, "larer", url)
    assert OLA in holder_sees and KARI in holder_sees


def test_r44_a_protected_address_reaches_the_holder_only(testapp, emma, read_root):
    url = emma(live_together=True, kari_protected=True)
    assert KARI not in _page_as(testapp, "forelder", url)
    assert KARI in _page_as(testapp, "forelder2", url)  # her own details
    holder_sees = _page_as(testapp, "larer", url)
    assert KARI in holder_sees and "Fortrolig adresse" in holder_sees
    url = emma(live_together=True, kari_protected=False)
    assert KARI in _page_as(testapp, "forelder", url)  # living together, not protected
