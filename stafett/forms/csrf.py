"""Every Deform form carries the session's CSRF token; pyramid checks it on every POST."""

from __future__ import annotations

import colander
import deform
from pyramid.csrf import get_csrf_token


@colander.deferred
def _deferred_token(node, kw):
    return get_csrf_token(kw["request"])


def csrf_schema(schema: colander.Schema) -> colander.Schema:
    schema = schema.clone()
    schema.add(colander.SchemaNode(colander.String(), name="csrf_token",
                                   widget=deform.widget.HiddenWidget(),
                                   default=_deferred_token, missing=colander.drop))
    return schema
