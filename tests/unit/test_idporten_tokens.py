"""The ID token and logout token checks (services.idporten): only a token signed by the
provider's key, for this client, unexpired, with this login's nonce and the high level
logs anyone in. The full flow against a real provider: tests/functional/test_idporten.py."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from stafett.scripts.demo import make_fnr, years_ago
from stafett.services.idporten import BACKCHANNEL_EVENT, HIGH, IdPorten, TokenRefused

ISSUER = "https://idporten.test"
CLIENT = "stafett-test"
NONCE = "n-0123456789"
PID = make_fnr(years_ago(40), 1)


@pytest.fixture(scope="module")
def keys():
    return RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})


@pytest.fixture(scope="module")
def provider(keys):
    jwks = KeySet([keys]).as_dict(private=False)
    return IdPorten(ISSUER, CLIENT, metadata={"issuer": ISSUER, "jwks_uri": "unused"},
                    jwks=jwks)


def id_token(key, **changes) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "pseudonym", "pid": PID, "acr": HIGH,
              "nonce": NONCE, "iat": now, "exp": now + 120, "sid": "s-1"}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def refused(provider, token, nonce=NONCE) -> str:
    with pytest.raises(TokenRefused) as caught:
        provider.id_token_claims(token, nonce)
    return caught.value.reason


def test_a_good_token_names_the_person(provider, keys):
    assert provider.id_token_claims(id_token(keys), NONCE)["pid"] == PID


def test_a_forged_token_is_refused(provider):
    forger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    assert refused(provider, id_token(forger)) == "signature"


def test_a_token_signed_by_an_unknown_key_is_refused(keys):
    """An unknown key id makes the JWKS be read again once; still unknown, refused."""
    reads = []
    idp = IdPorten(ISSUER, CLIENT, metadata={"issuer": ISSUER, "jwks_uri": "unused"},
                   jwks=KeySet([keys]).as_dict(private=False))
    idp.keys = lambda refresh=False: reads.append(refresh) or idp._keys
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k-unknown"})
    assert refused(idp, id_token(stranger)) == "unknown_key"
    assert reads == [False, True]


def test_an_unsigned_token_is_refused(provider):
    header = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    import base64
    import json
    body = base64.urlsafe_b64encode(json.dumps({"iss": ISSUER, "aud": CLIENT, "pid": PID})
                                    .encode()).decode().rstrip("=")
    with pytest.raises(TokenRefused):
        provider.id_token_claims(f"{header}.{body}.", NONCE)


def test_an_expired_token_is_refused(provider, keys):
    past = int(time.time()) - 3600
    assert refused(provider, id_token(keys, iat=past - 120, exp=past)) == "exp"


def test_a_token_for_another_client_is_refused(provider, keys):
    assert refused(provider, id_token(keys, aud="another-client")) == "aud"


def test_a_token_for_several_clients_needs_us_as_authorized_party(provider, keys):
    assert refused(provider, id_token(keys, aud=[CLIENT, "other"], azp="other")) == "azp"
    token = id_token(keys, aud=[CLIENT, "other"], azp=CLIENT)
    assert provider.id_token_claims(token, NONCE)["pid"] == PID


def test_a_token_from_another_issuer_is_refused(provider, keys):
    assert refused(provider, id_token(keys, iss="https://evil.test")) == "iss"


def test_a_token_with_another_logins_nonce_is_refused(provider, keys):
    assert refused(provider, id_token(keys), nonce="n-of-another-login") == "nonce"
    assert refused(provider, id_token(keys, nonce=None)) == "nonce"


def test_a_token_below_the_highest_level_is_refused(provider, keys):
    assert refused(provider, id_token(keys, acr="idporten-loa-substantial")) == "acr"
    assert refused(provider, id_token(keys, acr=None)) == "acr"


def test_a_token_without_a_valid_fodselsnummer_is_refused(provider, keys):
    assert refused(provider, id_token(keys, pid=None)) == "pid"
    assert refused(provider, id_token(keys, pid="12345678901")) == "pid"


def logout_token(key, **changes) -> str:
    claims = {"iss": ISSUER, "aud": CLIENT, "iat": int(time.time()), "jti": "j-1",
              "sid": "s-1", "events": {BACKCHANNEL_EVENT: {}}}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_a_logout_token_names_the_provider_session(provider, keys):
    assert provider.logout_token_claims(logout_token(keys))["sid"] == "s-1"


@pytest.mark.parametrize("changes", [{"events": None}, {"events": {"other": {}}},
                                     {"nonce": "x"}, {"sid": None}, {"aud": "other"},
                                     {"iss": "https://evil.test"}])
def test_a_bad_logout_token_is_refused(provider, keys, changes):
    with pytest.raises(TokenRefused):
        provider.logout_token_claims(logout_token(keys, **changes))


def test_the_authorization_url_asks_for_the_highest_level_with_pkce(keys):
    from urllib.parse import parse_qs, urlsplit

    from stafett.services.idporten import PendingLogin

    idp = IdPorten(ISSUER, CLIENT, metadata={"issuer": ISSUER, "jwks_uri": "unused",
                                             "authorization_endpoint": ISSUER + "/authorize"},
                   jwks=KeySet([keys]).as_dict(private=False))
    pending = PendingLogin()
    query = parse_qs(urlsplit(idp.authorization_url(pending, "https://s/cb", "nn")).query)
    assert query["acr_values"] == [HIGH] and query["ui_locales"] == ["nn"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] == [pending.state] and query["nonce"] == [pending.nonce]
    assert pending.verifier not in str(query)
