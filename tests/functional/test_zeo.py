"""Several app processes share one database through a real ZEO server on loopback."""

from __future__ import annotations

import webtest
import ZEO

from stafett import main

from ..conftest import app_settings, close_app, csrf_token, login


def test_two_app_servers_see_each_others_writes_through_zeo(datafs):
    address, stop = ZEO.server(path=datafs, port=("127.0.0.1", 0), threaded=True)
    host, port = address
    uri = f"zeo://{host}:{port}?connection_cache_size=1000"
    apps = [main({}, **app_settings(datafs, **{"zodbconn.uri": uri})) for _ in range(2)]
    try:
        first, second = (webtest.TestApp(app) for app in apps)
        login(first, "larer")
        home = first.get("/")
        first.post("/language", {"locale": "en", "csrf_token": csrf_token(home)}, status=303)
        login(second, "larer")  # the language chosen on server 1 is on the account
        assert "Logs I hold" in second.get("/").text
    finally:
        for app in apps:
            close_app(app)
        stop()
