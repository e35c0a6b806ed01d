"""Password rules on a staff password change; sessions end after a while without a request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

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


def test_a_session_lasts_thirty_idle_minutes_and_each_request_renews_it(client, district, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(district.dispatcher)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/").status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(minutes=29)

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/")["Location"].startswith("/login/")  # idle too long: signed out
