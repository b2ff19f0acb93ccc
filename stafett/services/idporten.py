"""Login through ID-porten (OpenID Connect, code flow with PKCE), with Authlib and joserfc.

Configured in the ini (README: "ID-porten"):

- ``stafett.oidc.issuer``: the provider, whose ``/.well-known/openid-configuration`` is read
- ``stafett.oidc.client_id``; ``stafett.oidc.client_auth``: ``client_secret_basic``,
  ``client_secret_post`` or ``private_key_jwt``
- ``stafett.oidc.client_secret`` or ``stafett.oidc.private_key`` (a PEM file) with
  ``stafett.oidc.key_id``
- ``stafett.oidc.acr_values``: ``idporten-loa-high`` unless set (R39)

An ID token is accepted only if its signature verifies with a key of the provider's JWKS
and its issuer, audience, expiry, nonce and level (``acr``) are right; the person is its
``pid`` claim (fødselsnummer).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from ..models.base import DomainError
from ..models.identity import validate_fnr

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256")
HIGH = "idporten-loa-high"
LOCALES = {"nb": "nb", "nn": "nn", "en": "en"}
METADATA_SECONDS = 3600
LEEWAY_SECONDS = 30
TIMEOUT_SECONDS = 10
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class TokenRefused(Exception):
    """An ID token or logout token that must not log anyone in or out; ``reason`` is a code
    for the journal, never token content."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class PendingLogin:
    """What the browser's session keeps between the redirect to ID-porten and its return."""

    state: str = field(default_factory=lambda: generate_token(32))
    nonce: str = field(default_factory=lambda: generate_token(32))
    verifier: str = field(default_factory=lambda: generate_token(64))

    def as_dict(self) -> dict:
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier}


@dataclass
class Person:
    pid: str
    sid: str | None
    id_token: str
    locale: str | None


class IdPorten:
    def __init__(self, issuer: str, client_id: str, *, client_auth: str = "client_secret_basic",
                 client_secret: str = "", private_key: str = "", key_id: str = "",
                 acr: str = HIGH, scope: str = "openid profile", metadata: dict | None = None,
                 jwks: dict | None = None):
        self.issuer = issuer.rstrip("/")
        self.client_id, self.client_auth = client_id, client_auth
        self.client_secret, self.private_key, self.key_id = client_secret, private_key, key_id
        self.acr, self.scope = acr, scope
        self._metadata, self._keys = metadata, KeySet.import_key_set(jwks) if jwks else None
        self._fetched = time.monotonic() if metadata else 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> IdPorten | None:
        issuer = settings.get("stafett.oidc.issuer")
        if not issuer:
            return None
        if not settings.get("stafett.oidc.client_id"):
            raise ValueError("stafett.oidc.issuer is set, stafett.oidc.client_id is not")
        key_file = settings.get("stafett.oidc.private_key")
        private_key = open(key_file).read() if key_file else ""  # noqa: SIM115
        return cls(issuer, settings["stafett.oidc.client_id"],
                   client_auth=settings.get("stafett.oidc.client_auth", "client_secret_basic"),
                   client_secret=settings.get("stafett.oidc.client_secret", ""),
                   private_key=private_key, key_id=settings.get("stafett.oidc.key_id", ""),
                   acr=settings.get("stafett.oidc.acr_values", HIGH),
                   scope=settings.get("stafett.oidc.scope", "openid profile"))

    # -- the provider's metadata and keys ----------------------------------------------------
    def metadata(self) -> dict:
        with self._lock:
            if self._metadata is None or time.monotonic() - self._fetched > METADATA_SECONDS:
                self._metadata = _get_json(f"{self.issuer}/.well-known/openid-configuration")
                self._keys, self._fetched = None, time.monotonic()
            return self._metadata

    def keys(self, refresh: bool = False) -> KeySet:
        metadata = self.metadata()
        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"]))
            return self._keys

    # -- the code flow -------------------------------------------------------------------
    def authorization_url(self, pending: PendingLogin, redirect_uri: str, locale: str) -> str:
        session = OAuth2Session(self.client_id, scope=self.scope, redirect_uri=redirect_uri,
                                code_challenge_method="S256")
        url, _state = session.create_authorization_url(
            self.metadata()["authorization_endpoint"], state=pending.state,
            nonce=pending.nonce, code_verifier=pending.verifier, acr_values=self.acr,
            ui_locales=LOCALES.get(locale, "nb"))
        return url

    def finish(self, code: str, pending: dict, redirect_uri: str) -> Person:
        """The code for tokens at the token endpoint, then the ID token checked."""
        token_endpoint = self.metadata()["token_endpoint"]
        try:
            token = self._session(redirect_uri, token_endpoint).fetch_token(
                token_endpoint, code=code, code_verifier=pending["verifier"],
                redirect_uri=redirect_uri, timeout=TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - any failure at the token endpoint
            raise TokenRefused("token_endpoint") from exc
        raw = token.get("id_token")
        if not raw:
            raise TokenRefused("no_id_token")
        claims = self.id_token_claims(raw, pending["nonce"])
        return Person(pid=claims["pid"], sid=claims.get("sid"), id_token=raw,
                      locale=claims.get("locale"))

    def _session(self, redirect_uri: str, token_endpoint: str) -> OAuth2Session:
        if self.client_auth == "private_key_jwt":
            session = OAuth2Session(self.client_id, self.private_key,
                                    token_endpoint_auth_method="private_key_jwt",
                                    redirect_uri=redirect_uri)
            headers = {"kid": self.key_id} if self.key_id else None
            session.register_client_auth_method(PrivateKeyJWT(token_endpoint, headers=headers,
                                                              alg="RS256"))
            return session
        return OAuth2Session(self.client_id, self.client_secret, redirect_uri=redirect_uri,
                             token_endpoint_auth_method=self.client_auth)

    # -- checking tokens -----------------------------------------------------------------
    def id_token_claims(self, raw: str, nonce: str) -> dict:
        claims = self._verified(raw)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS, iss={"essential": True, "value": self.issuer},
            exp={"essential": True}, iat={"essential": True},
            nonce={"essential": True, "value": nonce}, acr={"essential": True, "value": self.acr},
            pid={"essential": True})
        self._check(registry, claims)
        try:
            claims["pid"] = validate_fnr(str(claims["pid"]))
        except DomainError:
            raise TokenRefused("pid") from None
        return claims

    def logout_token_claims(self, raw: str) -> dict:
        """A back-channel logout token (OpenID Connect Back-Channel Logout 1.0, 2.6)."""
        claims = self._verified(raw)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS, iss={"essential": True, "value": self.issuer},
            iat={"essential": True}, events={"essential": True})
        self._check(registry, claims)
        if not isinstance(claims["events"], dict) or BACKCHANNEL_EVENT not in claims["events"]:
            raise TokenRefused("events")
        if "nonce" in claims or not (claims.get("sid") or claims.get("sub")):
            raise TokenRefused("logout_claims")
        return claims

    def _verified(self, raw: str) -> dict:
        """The claims of a token signed by the provider; an unknown key id refreshes the JWKS
        once (the provider rotates its keys)."""
        for refresh in (False, True):
            try:
                return dict(jwt.decode(raw, self.keys(refresh), algorithms=ALGORITHMS).claims)
            except InvalidKeyIdError:  # no key of the set has the token's kid
                continue
            except JoseError:
                raise TokenRefused("signature") from None
        raise TokenRefused("unknown_key")

    def _check(self, registry, claims: dict) -> None:
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise TokenRefused(getattr(exc, "claim", None) or exc.error) from None
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.client_id not in audiences:
            raise TokenRefused("aud")
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise TokenRefused("azp")

    # -- logout --------------------------------------------------------------------------
    def end_session_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        query = urlencode({"id_token_hint": id_token,
                           "post_logout_redirect_uri": post_logout_redirect_uri,
                           "state": generate_token(16)})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _get_json(url: str) -> dict:
    response = requests.get(url, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.json()
