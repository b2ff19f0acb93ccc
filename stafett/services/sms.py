"""SMS through the municipality's HTTP gateway (R37).

``stafett.sms.url`` turns SMS on. Each message is one JSON POST
``{"to": "+4791234567", "from": "<stafett.sms.sender>", "text": "..."}`` with either
``Authorization: Bearer <stafett.sms.token>`` or HTTP basic auth
(``stafett.sms.username``/``password``); any 2xx answer is taken as accepted. Messages go
after the transaction commits (``services.notify``); a refusal or a gateway that does not
answer within ``stafett.sms.timeout`` seconds (5) raises ``SmsFailed``.
"""

from __future__ import annotations

import requests


class SmsFailed(Exception):
    """``reason`` is a code (``gateway_refused``, ``gateway_unreachable``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SmsGateway:
    def __init__(self, url: str, sender: str = "Stafett", token: str = "",
                 username: str = "", password: str = "", timeout: float = 5.0):
        self.url, self.sender, self.timeout = url, sender, timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.auth = (username, password) if username else None

    def send(self, to: str, text: str) -> None:
        try:
            answer = requests.post(self.url, json={"to": to, "from": self.sender, "text": text},
                                   headers=self.headers, auth=self.auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsFailed("gateway_unreachable") from exc
        if not answer.ok:
            raise SmsFailed("gateway_refused")


def sms_from_settings(settings) -> SmsGateway | None:
    url = (settings.get("stafett.sms.url") or "").strip()
    if not url:
        return None
    return SmsGateway(url, settings.get("stafett.sms.sender", "Stafett"),
                      settings.get("stafett.sms.token", ""),
                      settings.get("stafett.sms.username", ""),
                      settings.get("stafett.sms.password", ""),
                      float(settings.get("stafett.sms.timeout", 5)))
