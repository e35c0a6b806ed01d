"""The second factor: required for supervisors and admins (set up at the first login), optional for others."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from youhu.accounts import secondfactor
from youhu.accounts.demo import demo_key
from youhu.accounts.demo import load as load_demo_devices

from .conftest import code_for, password_step, secret_on

pytestmark = pytest.mark.django_db


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_supervisor_without_a_device_must_set_one_up_before_any_staff_page(client, district):
    response = password_step(client, "supervisor")
    assert response.status_code == 302 and response["Location"] == "/accounts/enrol/"
    assert not signed_in(client)
    assert client.get("/supervision/")["Location"].startswith("/login/")  # not with the password alone

    page = client.get("/accounts/enrol/").content.decode()
    assert "必须使用动态验证码" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=district.supervisor, confirmed=False)
    # The secret shown is the device's key: what an authenticator app computes from it is accepted.
    import base64

    key = base64.b32decode(secret_on(page).replace(" ", "") + "=" * (-len(secret_on(page).replace(" ", "")) % 8))
    assert key == device.bin_key
    refused = client.post("/accounts/enrol/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "验证码不正确" in refused.content.decode() and not signed_in(client)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # django-otp's delay after a miss

    code = f"{TOTP(key).token():06d}"
    assert client.post("/accounts/enrol/", {"code": code})["Location"] == "/"
    assert signed_in(client) and client.get("/supervision/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_with_a_device_the_login_asks_for_the_current_code(client, district, enrolled):
    assert password_step(client, "supervisor")["Location"] == "/accounts/verify/"
    assert not signed_in(client)
    wrong = client.post("/accounts/verify/", {"code": "12345"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode() and not signed_in(client)
    too_soon = client.post("/accounts/verify/", {"code": code_for(enrolled)})
    assert "错误次数过多" in too_soon.content.decode() and not signed_in(client)  # django-otp's delay
    TOTPDevice.objects.filter(pk=enrolled.pk).update(throttling_failure_count=0)
    assert client.post("/accounts/verify/", {"code": code_for(enrolled)})["Location"] == "/"
    assert signed_in(client) and client.get("/supervision/").status_code == 200


def test_the_code_step_keeps_where_the_user_was_going(client, district, enrolled):
    client.post("/login/?next=/supervision/ranking/", {"username": "supervisor", "password": "pass-1234",
                                                      "next": "/supervision/ranking/"})
    assert client.post("/accounts/verify/", {"code": code_for(enrolled)})["Location"] == "/supervision/ranking/"


def test_a_password_alone_cannot_add_a_second_device(client, district, enrolled):
    password_step(client, "supervisor")
    assert client.get("/accounts/enrol/")["Location"] == "/accounts/verify/"
    assert client.post("/accounts/enrol/", {"code": "123456"})["Location"] == "/accounts/verify/"
    assert TOTPDevice.objects.filter(user=district.supervisor).count() == 1


def test_the_code_step_without_a_password_step_starts_again(client, district, enrolled):
    response = client.post("/accounts/verify/", {"code": code_for(enrolled)})
    assert response["Location"] == "/login/" and not signed_in(client)


def test_superusers_and_admins_need_it_others_may(district):
    district.handler.is_superuser = True
    assert secondfactor.required_for(district.handler)
    assert secondfactor.required_for(district.admin) and secondfactor.required_for(district.supervisor)
    assert not secondfactor.required_for(district.dispatcher)


def test_a_dispatcher_signs_in_with_the_password_and_may_turn_the_code_on(client, district):
    assert password_step(client, "dispatcher")["Location"] == "/"
    assert "未启用" in client.get("/accounts/security/").content.decode()
    client.get("/accounts/enrol/")
    device = TOTPDevice.objects.get(user=district.dispatcher)
    assert client.post("/accounts/enrol/", {"code": code_for(device)})["Location"] == "/accounts/security/"
    assert "已启用" in client.get("/accounts/security/").content.decode()

    client.logout()
    assert password_step(client, "dispatcher")["Location"] == "/accounts/verify/"  # from now on, every login
    assert not signed_in(client)
    device.refresh_from_db()
    device.last_t = -1  # the enrolment used this 30 s step's code
    device.save()
    assert client.post("/accounts/verify/", {"code": code_for(device)})["Location"] == "/"

    device.refresh_from_db()
    device.last_t = -1
    device.save()
    client.post("/accounts/security/disable/", {"code": code_for(device)})
    assert not TOTPDevice.objects.filter(user=district.dispatcher).exists()


def test_who_must_use_it_cannot_turn_it_off(client, district, enrolled):
    client.force_login(district.supervisor)
    client.post("/accounts/security/disable/", {"code": code_for(enrolled)}, follow=True)
    assert TOTPDevice.objects.filter(user=district.supervisor, confirmed=True).exists()


def test_gaining_a_role_that_needs_it_ends_the_sessions_opened_without_it(district):
    client = Client()
    password_step(client, "dispatcher")
    assert client.get("/").status_code == 200
    district.dispatcher.set_roles(["dispatcher", "supervisor"])
    assert client.get("/supervision/")["Location"].startswith("/login/")


def test_a_session_that_passed_the_second_factor_keeps_going_when_a_role_is_added(client, district, enrolled):
    password_step(client, "supervisor")
    client.post("/accounts/verify/", {"code": code_for(enrolled)})
    district.supervisor.set_roles(["supervisor", "admin"])
    assert client.get("/supervision/").status_code == 200


def test_demo_accounts_get_published_keys_and_the_command_shows_their_code(district, capsys):
    from django.core.management import CommandError, call_command

    assert load_demo_devices() == 2  # the district's admin and supervisor
    device = secondfactor.confirmed_device(district.supervisor)
    assert device.key == demo_key("supervisor")
    call_command("otp", "code", "--user", "supervisor")
    assert capsys.readouterr().out.strip() == secondfactor.current_code(device)
    assert load_demo_devices() == 0  # idempotent
    call_command("otp", "key", "--user", "supervisor")
    assert secondfactor.secret_text(device) in capsys.readouterr().out

    device.key = TOTPDevice().key  # a real key is never shown
    device.save()
    with pytest.raises(CommandError, match="演示密钥"):
        call_command("otp", "code", "--user", "supervisor")
    with pytest.raises(CommandError):
        call_command("otp", "code", "--user", "dispatcher")
