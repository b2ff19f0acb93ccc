"""Finding a child (R45): ``<municipality>/search?q=``, and the search field in the top bar.

Holders, unit leaders and superusers search by any part of a name, by fødselsnummer or
by birth date, among the logs they may see (``models.search``). Each result shown is a
read of the child's data and is journaled. A whole number whose log the person may not
see tells who holds it and where (R45), nothing more, and is journaled too.
"""

from __future__ import annotations

from pyramid.events import BeforeRender, subscriber
from pyramid.view import view_config

from ..i18n import _
from ..messages import message_for
from ..models.org import Municipality
from ..models.search import (
    QueryError,
    find_ids,
    logs_of_child,
    matches,
    parse,
    visible_to,
    who_holds,
)
from ..security import Permission
from .read_journal import journal_read

P = Permission
RESULTS = 20  # the first matches; a longer list asks for a narrower search

QUERY_MESSAGES = {
    "search_too_long": _("search_too_long", default="Search with at most ${limit} characters."),
    "search_too_many_words": _("search_too_many_words",
                               default="Search with at most ${limit} words."),
    "search_number_length": _(
        "search_number_length", default="Type the whole fødselsnummer (11 digits) or the "
                                        "birth date (6 digits, ddmmyy)."),
    "search_word_too_short": _("search_word_too_short",
                               default="Type at least ${least} letters of each name."),
    "search_date_invalid": _("search_date_invalid",
                             default="The birth date is not a valid date: write it dd.mm.yyyy."),
}

THROTTLED = _("search_throttled", default="You have searched many times in a short while. "
                                          "Wait a minute and search again.")


@view_config(context=Municipality, name="search", request_method="GET",
             renderer="stafett:templates/search.pt", permission=P.SEARCH)
def search(request):
    municipality = request.context
    query = request.GET.get("q", "")
    values = {"municipality": municipality, "query": query, "results": [], "more": False,
              "held_elsewhere": [], "error": None, "searched": False}
    try:
        terms = parse(query)
    except QueryError as malformed:
        message = QUERY_MESSAGES.get(malformed.msg)
        if message is not None:
            message = _(message, mapping=malformed.mapping)
        return _refused(request, values, message or message_for(malformed), 400)
    if not terms:
        return values
    if not request.registry.search_throttle.hit(request.identity.uid):
        return _refused(request, values, THROTTLED, 429)
    values["searched"] = True
    values["results"], values["more"] = _results(request, municipality, terms)
    if not values["results"]:
        values["held_elsewhere"] = _held_elsewhere(request, municipality, terms)
    return values


def _refused(request, values: dict, message, status: int) -> dict:
    request.response.status_int = status
    values["error"] = request.translate(message)
    return values


def _results(request, municipality, terms) -> tuple[list, bool]:
    """The logs found that the person may see, by name; each journaled as a read."""
    employee = municipality.employee(request.identity.employee_id)
    within = visible_to(municipality.index, employee) if employee is not None else ([], [])
    ids, more = find_ids(municipality.index, terms, within, RESULTS)
    found = [municipality.logs[i] for i in ids if i in municipality.logs]
    shown = sorted((log for log in found if matches(log, terms)
                    and request.has_permission(P.VIEW_HEADER, log)),
                   key=lambda log: log.subject.name.casefold())
    for log in shown:
        journal_read(request, log)
    return shown, more


def _held_elsewhere(request, municipality, terms) -> list[dict]:
    """R45: a child's whole number finds who holds the child's log, and where, even when
    the person may not read it; the lookup is journaled as a read of that log."""
    found = []
    for term in terms:
        if term.kind != "fnr":
            continue
        for log in logs_of_child(municipality, term.value):
            journal_read(request, log)
            found.append(who_holds(log))
    return found


@subscriber(BeforeRender)
def search_field(event) -> None:
    """The top bar's search field, for those who may search (``templates/search_box.pt``)."""
    request = event.get("request")
    if request is None or "child_search_url" in event:
        return
    event["child_search_url"] = search_url(request)


def search_url(request) -> str | None:
    account = request.identity
    if account is None or not account.employee_id:
        return None
    municipality = request.app_root.get(account.municipality)
    if municipality is None or not request.has_permission(P.SEARCH, municipality):
        return None
    return request.resource_url(municipality, "search")
