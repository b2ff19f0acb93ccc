"""Requests from the machine itself: the operator's tools (``stafett-daily``, a metrics
scraper) talk to an app process over loopback, never through the reverse proxy."""

from __future__ import annotations

import ipaddress

# Headers a reverse proxy adds: a request that carries one came from outside the machine
# even though its peer is 127.0.0.1.
PROXY_HEADERS = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO",
                 "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP")


def from_this_machine(request) -> bool:
    return _is_loopback(request.remote_addr) and not any(
        header in request.environ for header in PROXY_HEADERS)


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False
