from __future__ import annotations

import re

import pytest
from django.test import Client

from youhu.accounts import secondfactor

PASSWORD = "pass-1234"


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def code_for(device) -> str:
    device.refresh_from_db()
    return secondfactor.current_code(device)


def secret_on(page: str) -> str:
    return re.search(r'id="otp-secret">([^<]+)<', page).group(1)


@pytest.fixture
def enrolled(district):
    """The supervisor with a confirmed device."""
    device = secondfactor.enrolment_device(district.supervisor)
    device.confirmed = True
    device.save()
    return device
