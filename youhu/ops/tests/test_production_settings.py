"""Production settings (YOUHU_DEBUG=0): a secret key is required, and cookies, HSTS and redirects assume HTTPS.
Settings are evaluated at import, so each case runs in a subprocess with its environment."""

from __future__ import annotations

import json

import pytest

from .helpers import A_SECRET_KEY, clean_env, python, youhu

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({**{name: getattr(s, name) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SECRET_KEY",
    "AXES_FAILURE_LIMIT", "SESSION_COOKIE_AGE")}, "cooloff_minutes": s.AXES_COOLOFF_TIME.total_seconds() / 60}))
"""


def probe(tmp_path, **env: str) -> dict:
    done = python(PROBE, env=clean_env(tmp_path, **env))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_debug_off_means_secure_cookies_hsts_and_ssl_redirect(tmp_path):
    s = probe(tmp_path, YOUHU_DEBUG="0", YOUHU_SECRET_KEY=A_SECRET_KEY)
    assert s["DEBUG"] is False and s["SECRET_KEY"] == A_SECRET_KEY
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and s["SECURE_HSTS_PRELOAD"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] is None  # no proxy declared: a client's X-Forwarded-Proto is not believed


def test_behind_a_tls_terminating_proxy_https_comes_from_x_forwarded_proto(tmp_path):
    s = probe(tmp_path, YOUHU_DEBUG="0", YOUHU_SECRET_KEY=A_SECRET_KEY, YOUHU_TRUSTED_PROXIES="1")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["SECURE_SSL_REDIRECT"] is True and s["SESSION_COOKIE_SECURE"] is True
    # a proxy that redirects http:// itself
    s = probe(tmp_path, YOUHU_DEBUG="0", YOUHU_SECRET_KEY=A_SECRET_KEY, YOUHU_TRUSTED_PROXIES="1",
              YOUHU_SSL_REDIRECT="0")
    assert s["SECURE_SSL_REDIRECT"] is False and s["SESSION_COOKIE_SECURE"] is True and s["SECURE_HSTS_SECONDS"]


def test_plain_http_is_an_explicit_switch(tmp_path):
    s = probe(tmp_path, YOUHU_DEBUG="0", YOUHU_SECRET_KEY=A_SECRET_KEY, YOUHU_HTTPS="0")
    assert (s["SESSION_COOKIE_SECURE"], s["CSRF_COOKIE_SECURE"], s["SECURE_SSL_REDIRECT"]) == (False, False, False)
    assert s["SECURE_HSTS_SECONDS"] == 0


def test_debug_on_keeps_the_development_defaults(tmp_path):
    s = probe(tmp_path)  # as `make demo` runs: no YOUHU_* at all
    assert s["DEBUG"] is True and s["SECRET_KEY"]
    assert (s["SESSION_COOKIE_SECURE"], s["SECURE_SSL_REDIRECT"], s["SECURE_HSTS_SECONDS"]) == (False, False, 0)


@pytest.mark.parametrize("key", [None, "", "dev-only-insecure-key-change-me-in-production"])
def test_debug_off_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    env = clean_env(tmp_path, YOUHU_DEBUG="0")
    if key is not None:
        env["YOUHU_SECRET_KEY"] = key
    imported = python("import django; django.setup()", env=env)  # as gunicorn's workers import youhu.wsgi
    assert imported.returncode != 0 and "ImproperlyConfigured" in imported.stderr
    done = youhu("check", env=env)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]  # one line, no traceback
    assert "YOUHU_SECRET_KEY" in done.stderr and "必须设置" in done.stderr and "not the development key" in done.stderr


def test_the_staff_accounts_limits_come_from_the_environment(tmp_path):
    s = probe(tmp_path)
    assert (s["AXES_FAILURE_LIMIT"], s["cooloff_minutes"], s["SESSION_COOKIE_AGE"]) == (5, 15, 30 * 60)
    s = probe(tmp_path, YOUHU_LOGIN_FAILURE_LIMIT="3", YOUHU_LOGIN_LOCKOUT_MINUTES="60",
              YOUHU_SESSION_IDLE_MINUTES="10")
    assert (s["AXES_FAILURE_LIMIT"], s["cooloff_minutes"], s["SESSION_COOKIE_AGE"]) == (3, 60, 10 * 60)
