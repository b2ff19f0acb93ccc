"""Every help topic on one page (R43), for anyone logged in; the "?" beside each page's
heading shows its own (``templates/help.pt``)."""

from __future__ import annotations

from pyramid.view import view_config

from ..models.org import AppRoot
from ..security import Permission
from ..services.help import TOPICS


@view_config(context=AppRoot, name="help", request_method="GET",
             renderer="stafett:templates/help_topics.pt", permission=Permission.HOME)
def help_topics(request):
    return {"topics": list(TOPICS.values())}
