"""Security headers on every response the app sends (pages, error pages, PDFs, CSV files).

- A Content-Security-Policy that allows no inline script or style at all: every script and
  style sheet is a file under a static view, and no template writes ``style=``, ``<style>``,
  ``on…=`` or an inline ``<script>`` (tests/functional/test_no_inline_code.py). ``form-action``
  also allows the origin of ``stafett.oidc.issuer`` when it is set: Chrome applies
  ``form-action`` to the redirects that follow a form's POST, and logging out (a POST) will
  end at the OpenID provider.
- ``Cache-Control: no-store`` on everything but the static files: a school's shared computer
  must not show a child's log from its cache after the user logged out. Static files keep
  the caching their view gives them.
- HSTS only when ``stafett.hsts_seconds`` is set above 0 (production.ini): a development
  server on plain http must not teach the browser to insist on https for localhost.

A view that sets a Content-Security-Policy of its own keeps it (downloads.py sends files
with a stricter one); every other header here is the app's and replaces the view's.

The tween sits outermost (just under INGRESS), so it sees every response the tweens below
return: views', the exception views' error pages, and what pyramid_tm renders after a failed
commit.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pyramid.exceptions import ConfigurationError
from pyramid.tweens import INGRESS

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: the app's own pages get the Referer (after the session
    # ended, a form sent again leads back to the page that held it: views/errors.py), while
    # no other site (the OpenID provider, a link in a text) learns the address of a log.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Nothing in the app uses a camera, a microphone, the position or payment: no page (nor
    # anything injected into one) may ask for them.
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                          "magnetometer=(), microphone=(), payment=(), usb=()",
}
NO_STORE = "no-store"
STATIC_ROUTE_PREFIX = "__static"  # add_static_view("static"...) registers route "__static/"
ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")


def includeme(config) -> None:
    config.registry.security_headers = security_headers(config.get_settings())
    config.add_tween("stafett.views.response_headers.add_security_headers", under=INGRESS)


def security_headers(settings) -> dict[str, str]:
    """The headers every response carries (``Cache-Control`` aside), from the settings."""
    policy = dict(CSP)
    issuer = (settings.get("stafett.oidc.issuer") or "").strip()
    if issuer:
        policy["form-action"] += " " + origin_of(issuer)
    headers = {"Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in policy.items()),
               **FIXED_HEADERS}
    hsts = int(settings.get("stafett.hsts_seconds") or 0)
    if hsts > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    return headers


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, for a CSP source; a setting that is no http(s) URL
    stops the app at start-up rather than weakening or breaking the policy."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        origin = ""
    if parts.username is not None or parts.password is not None or not ORIGIN.match(origin):
        raise ConfigurationError(f"stafett.oidc.issuer is not an http(s) URL: {url!r}")
    return origin


def add_security_headers(handler, registry):
    headers = registry.security_headers

    def tween(request):
        response = handler(request)
        for name, value in headers.items():
            if name == "Content-Security-Policy" and name in response.headers:
                continue  # the view's own, stricter policy (downloads.py)
            response.headers[name] = value
        if not is_static_file(request, response):
            response.headers["Cache-Control"] = NO_STORE
        return response

    return tween


def is_static_file(request, response) -> bool:
    """A file served by one of the static views (not a 404 for a missing one)."""
    route = getattr(request, "matched_route", None)
    return (route is not None and route.name.startswith(STATIC_ROUTE_PREFIX)
            and response.status_code < 400)
