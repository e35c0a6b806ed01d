"""Rate limits key on the client's address, also behind reverse proxies, and cannot be dodged by a forged header."""

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from youhu.access.clientip import client_ip


def request(remote: str = "10.0.0.5", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_connection_is_the_client(settings):
    settings.YOUHU_TRUSTED_PROXIES = 0
    assert client_ip(request(forwarded="1.2.3.4")) == "10.0.0.5"  # the header is the client's own words
    with pytest.raises(ImproperlyConfigured, match="YOUHU_TRUSTED_PROXIES"):
        client_ip(request(remote=""))


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # what the client wrote itself is left of the proxy's entry
    (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
    (1, " 2001:db8::1 ", "2001:db8::1"),
    (2, "203.0.113.7", "10.0.0.5"),  # not through both proxies: the connection's address
    (1, "", "10.0.0.5"),
    (1, "not-an-address", "10.0.0.5"),
])
def test_behind_proxies_the_outermost_proxys_peer_is_the_client(settings, proxies, forwarded, expected):
    settings.YOUHU_TRUSTED_PROXIES = proxies
    assert client_ip(request(forwarded=forwarded)) == expected


@pytest.mark.django_db
def test_behind_a_proxy_each_resident_has_a_limit_of_their_own(settings, district):
    settings.YOUHU_TRUSTED_PROXIES = 1
    settings.YOUHU_PORTAL_TRACK_RATE = "2/d"
    caches[settings.RATELIMIT_USE_CACHE].clear()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the proxy
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    second = Client(HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy)
    forger = Client(HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", **proxy)  # the first's address, a new prefix
    wrong = {"number": "20260302-000001", "code": "WRONG"}
    assert [first.post("/portal/track/", wrong).status_code for _ in range(3)] == [400, 400, 429]
    assert forger.post("/portal/track/", wrong).status_code == 429
    assert second.post("/portal/track/", wrong).status_code == 400
