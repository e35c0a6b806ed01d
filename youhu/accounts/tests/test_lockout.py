"""Login throttling (django-axes): wrong passwords lock the account, and the address, for a while."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import password_step

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


def test_after_five_wrong_passwords_the_right_one_no_longer_signs_in(client, district, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [password_step(client, "roads", "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    refused = password_step(client, "roads")
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_sixty_wrong_passwords_then_the_right_one_is_refused(client, district):
    """Issue 19's probe: 60 wrong passwords in a few seconds, then the right one signed in."""
    statuses = [password_step(client, "roads", f"guess-{n:02}").status_code for n in range(60)]
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}  # locked from the fifth on
    refused = password_step(client, "roads")
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account_whatever_the_address(district):
    for n in range(5):
        password_step(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), "roads", "wrong-password")
    elsewhere = password_step(Client(REMOTE_ADDR="203.0.113.9"), "roads")
    assert elsewhere.status_code == 429 and LOCKED in elsewhere.content.decode()
    assert password_step(Client(REMOTE_ADDR="203.0.113.9"), "dispatcher").status_code == 302  # others sign in


def test_the_lock_is_per_address_whatever_the_account(district):
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for name in ("roads", "dispatcher", "nobody", "admin", "supervisor"):
        password_step(guesser, name, "wrong-password")
    refused = password_step(guesser, "roads")
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert password_step(Client(REMOTE_ADDR="203.0.113.9"), "roads").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, district):
    for _ in range(4):
        password_step(client, "roads", "wrong-password")
    assert password_step(client, "roads").status_code == 302
    client.logout()
    for _ in range(4):
        password_step(client, "roads", "wrong-password")
    assert password_step(client, "roads").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, district, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        password_step(client, "roads", "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert password_step(client, "roads").status_code == 302


def test_the_admin_signs_in_through_the_staff_login_and_says_the_same(client, district):
    district.admin.is_staff = district.admin.is_superuser = True
    district.admin.save()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/?next=%2Fadmin%2F"
    # The admin's own form is gone: a password posted there signs nobody in.
    assert client.post("/admin/login/", {"username": "roads", "password": "pass-1234"})["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    for _ in range(5):
        client.post("/login/?next=/admin/", {"username": "admin", "password": "wrong", "next": "/admin/"})
    refused = client.post("/login/?next=/admin/", {"username": "admin", "password": "pass-1234", "next": "/admin/"})
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
