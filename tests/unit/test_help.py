"""R43: the help registry covers every page, in bokmål, nynorsk and English, in the plain
language it asks of others (R32)."""

from __future__ import annotations

import pytest

from stafett.i18n import _, translate
from stafett.services.help import NO_HELP, TEMPLATE_TOPICS, TOPICS, VIEW_TOPICS, page_topic
from stafett.services.writing_help import check


def _views(app, drawn_only: bool) -> set[tuple[str, str]]:
    """(context type, view name) of every view, or of those the app draws with a template."""
    pages = set()
    for item in app.registry.introspector.get_category("views"):
        view = item["introspectable"]
        if view.get("exception_only") or view["context"] is None:
            continue
        if not drawn_only or any(r.category_name == "templates" for r in item["related"]):
            pages.add((view["context"].__name__, view["name"]))
    return pages


def test_r43_every_page_has_help_or_is_exempt_by_name(app):
    pages = _views(app, drawn_only=True)
    assert ("Log", "add-concern") in pages and ("AppRoot", "help") in pages
    missing = sorted(p for p in pages if p not in VIEW_TOPICS and p not in NO_HELP)
    assert missing == []
    stale = sorted(p for p in VIEW_TOPICS if p not in _views(app, drawn_only=False))
    assert stale == []


def test_r43_every_topic_named_exists():
    named = {t for t in VIEW_TOPICS.values() if t != "home"} | set(TEMPLATE_TOPICS.values())
    named |= {f"home_{role}" for role in ("staff", "leader", "family")}
    assert named - set(TOPICS) == set()
    assert set(TOPICS) - named - {"practice"} == set()  # each topic is some page's help


def _messages():
    for key, topic in TOPICS.items():
        for message in (topic.title, *topic.lines):
            yield key, message


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
def test_r43_every_help_text_is_translated(locale):
    for key, message in _messages():
        bare = _(str(message))  # no English default: an untranslated id comes back as is
        assert translate(bare, locale) != str(message), (key, locale)
    assert all(3 <= 1 + len(t.lines) <= 6 for t in TOPICS.values())  # short: 3 to 6 lines


def test_r43_bokmal_and_nynorsk_are_not_the_same_text():
    differing = sum(translate(m, "nb") != translate(m, "nn") for _key, m in _messages())
    assert differing > 0.8 * len(list(_messages()))


@pytest.mark.parametrize("locale", ["nb", "nn"])
def test_r32_the_help_writes_as_it_teaches(locale):
    for key, message in _messages():
        assert check(translate(message, locale), "text", locale) == [], (key, locale)


def test_r43_the_front_page_help_follows_the_role_and_the_template_wins():
    class AppRoot:
        pass

    class Log:
        pass

    assert page_topic(AppRoot(), "", None, "leader") == "home_leader"
    assert page_topic(Log(), "", "stafett:templates/log/page.pt", "staff") == "log"
    assert page_topic(Log(), "", "stafett:templates/log/family.pt", "family") == "family"
    assert page_topic(Log(), "no-such-page", None, "staff") is None
