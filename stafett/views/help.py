"""The help topics on one page (R43): the family's own for the family, every one for staff;
the "?" beside each page's heading shows its own (``templates/help.pt``)."""

from __future__ import annotations

from pyramid.view import view_config

from ..models.org import AppRoot
from ..security import Permission
from ..services.help import topics_for
from . import user_role


@view_config(context=AppRoot, name="help", request_method="GET",
             renderer="stafett:templates/help_topics.pt", permission=Permission.HOME)
def help_topics(request):
    return {"topics": topics_for(user_role(request))}
