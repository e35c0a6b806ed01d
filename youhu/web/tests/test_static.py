"""Static files are served by the application itself with DEBUG off (as under gunicorn in production)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def test_css_and_js_are_served_with_debug_off():
    assert not settings.DEBUG  # the test runner's setting, as in production
    client = Client()
    css = client.get("/static/web/youhu.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    body = b"".join(css.streaming_content) if css.streaming else css.content
    assert body  # the file itself, not an empty answer
    js = client.get("/static/web/youhu.js")
    assert js.status_code == 200 and "javascript" in js["Content-Type"]
    assert client.get("/static/web/no-such-file.css").status_code == 404
