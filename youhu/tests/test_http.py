"""The views' shared request answers (youhu/http.py)."""

from django.test import RequestFactory

from youhu.http import safe_next, wants_json


def test_next_is_followed_only_on_this_site():
    request = RequestFactory().post("/inbox/read/")
    assert safe_next(request, "/tickets/?page=2", "/inbox/") == "/tickets/?page=2"
    for outside in ("https://evil.example/", "//evil.example/", "https:///evil.example", "", None):
        assert safe_next(request, outside, "/inbox/") == "/inbox/"


def test_json_is_what_the_script_asks_for():
    factory = RequestFactory()
    assert wants_json(factory.post("/", HTTP_ACCEPT="application/json, text/html"))
    assert not wants_json(factory.post("/", HTTP_ACCEPT="text/html"))
