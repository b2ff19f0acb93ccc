"""One pattern for every form, in the manner of SubstanceD's ``FormView``.

A subclass names its schema, title and button and implements ``success(data)``, which
calls a domain operation and returns the redirect. ``__call__`` renders the form on GET;
on POST it validates, then calls ``success``. A validation failure, or a rule refusing the
change (``DomainError``), re-renders the form with everything the user typed and each
problem named, on its field where the refusal belongs to one. Nothing is changed then: a
refusal from a workflow rolls its own work back, and an operation checks before it writes.
"""

from __future__ import annotations

import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther

from ..forms import field_errors, make_form
from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError, find_parent
from ..models.log import Log
from . import log_home

FORM_PAGE = "stafett:templates/form.pt"
SAVE = _("ct_save", default="Save")


class FormView:
    schema_factory = colander.Schema
    title = SAVE
    button = SAVE
    intro = None
    formid = "deform"
    button_name = "save"
    action = ""  # the form's own URL unless set
    autosave = True  # the browser keeps what is typed until it is saved (R28)
    field_of_refusal: dict[str, str] = {}  # DomainError msgid -> the field it concerns

    def __init__(self, context, request):
        self.context, self.request = context, request
        self.log = find_parent(context, Log)

    # -- what a subclass may override ------------------------------------------------------
    def schema(self) -> colander.Schema:
        return self.schema_factory()

    def bind(self) -> dict:
        log = self.log
        return {"log": log, "municipality": log.municipality} if log is not None else {}

    def appstruct(self) -> dict:
        return {}

    def success(self, data: dict):
        raise NotImplementedError

    def back_url(self) -> str | None:
        return log_home(self.request, self.log) if self.log is not None else None

    def page(self, form_html: str, errors=(), error=None) -> dict:
        """Values for ``templates/form.pt`` (a subclass with its own template adds more)."""
        return {"title": self.title, "form": form_html, "log": self.log, "intro": self.intro,
                "back_url": self.back_url(), "errors": list(errors), "error": error,
                "hints": self.hints()}

    def hints(self) -> list:
        return []

    # -- the pattern -----------------------------------------------------------------------
    def form(self) -> deform.Form:
        if not hasattr(self, "_form"):
            self._form = make_form(
                self.schema(), self.request, formid=self.formid, bind=self.bind(),
                action=self.action, autosave=self.formid if self.autosave else None,
                buttons=(deform.Button(self.button_name, self.button),))
        return self._form

    def __call__(self):
        form = self.form()
        if self.request.method != "POST":
            return self.page(form.render(self.appstruct()))
        try:
            data = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(failure.render(), errors=field_errors(failure.field))
        self.data = data
        try:
            return self.success(data)
        except DomainError as refusal:
            return self.refused(refusal)

    def refused(self, refusal: DomainError) -> dict:
        """The form as it was sent, with the rule's message on its field, or above it."""
        form, message = self.form(), self.request.translate(message_for(refusal))
        field = self.field_of_refusal.get(refusal.msg)
        if field is None or field not in form.schema:
            return self.page(form.render(), error=message)
        node = form.schema[field]
        invalid = colander.Invalid(form.schema)
        invalid.add(colander.Invalid(node, message), form.schema.children.index(node))
        form.widget.handle_error(form, invalid)
        return self.page(form.render(), errors=[(self.request.translate(node.title), message)])

    # -- after success ---------------------------------------------------------------------
    def done(self, resource, message, anchor: str = "") -> HTTPSeeOther:
        """Back to ``resource`` with a message; ``?saved=<formid>`` tells the browser to
        forget the text it kept for this form (static/autosave.js)."""
        self.request.notice(self.request.translate(message))
        query = {"saved": self.formid} if self.autosave else None
        url = (log_home(self.request, resource, query) if resource is self.log
               else self.request.resource_url(resource, query=query))
        return HTTPSeeOther(location=url + (f"#{anchor}" if anchor else ""))
