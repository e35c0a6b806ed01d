"""Password rules on a staff password change; sessions end after a while without a request."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from youhu.accounts.middleware import RENEW_EVERY_SECONDS, SEEN

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("new, reason", [
    ("Short-1", "太短"), ("12345678901234", "全都是数字"), ("password1234", "太常见"), ("dispatcher01", "相似"),
])
def test_a_weak_new_password_is_refused_with_the_reason(client, district, new, reason):
    client.force_login(district.dispatcher)
    response = client.post("/accounts/password/", {"old_password": "pass-1234", "new_password1": new,
                                                   "new_password2": new})
    assert response.status_code == 200 and reason in response.content.decode()
    district.dispatcher.refresh_from_db()
    assert district.dispatcher.check_password("pass-1234")


def test_a_strong_new_password_is_taken(client, district):
    client.force_login(district.dispatcher)
    response = client.post("/accounts/password/", {"old_password": "pass-1234", "new_password1": "琶洲-路灯-2026-巡查",
                                                   "new_password2": "琶洲-路灯-2026-巡查"})
    assert response["Location"] == "/accounts/security/"
    district.dispatcher.refresh_from_db()
    assert district.dispatcher.check_password("琶洲-路灯-2026-巡查")


def test_a_session_lasts_thirty_idle_minutes_and_requests_renew_it(client, district, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(district.dispatcher)
    client.get("/")
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get("/")
    # Within the minute: not written again (the dashboard's parallel requests write nothing) ...
    assert Session.objects.get(pk=key).expire_date < timezone.now() + timedelta(minutes=2)
    session = client.session
    session[SEEN] = time.time() - RENEW_EVERY_SECONDS
    session.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    response = client.get("/")
    # ... after it, the next request pushes the expiry, and the cookie's, thirty minutes ahead.
    assert response.status_code == 200 and response.cookies["sessionid"]["max-age"] == 30 * 60
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(minutes=29)

    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/")["Location"].startswith("/login/")  # idle too long: signed out
