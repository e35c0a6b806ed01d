"""The demo's second factors: the demo admin and supervisors get TOTP devices with published keys, so that a
visitor can sign in with `youhu otp code --user NAME` (or the key typed into an authenticator app)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from youhu.directory.models import User

from . import secondfactor

# Not a secret: published, like the demo passwords. Each user's key is derived from it and the user name.
DEMO_KEY_SEED = "youhu-demo-totp"


def demo_key(username: str) -> str:
    """The hex TOTP key of a demo user (20 bytes)."""
    return hashlib.sha1(f"{DEMO_KEY_SEED}:{username}".encode()).hexdigest()


def is_demo_device(device: TOTPDevice) -> bool:
    return device.key == demo_key(device.user.username)


def load(now: datetime | None = None) -> int:
    """A confirmed device with the published key for every demo user who must have one and has none."""
    made = 0
    users = User.objects.filter(Q(is_superuser=True) | Q(role_grants__role__in=settings.YOUHU_SECOND_FACTOR_ROLES))
    for user in users.distinct():
        if secondfactor.confirmed_device(user) is None:
            TOTPDevice.objects.create(user=user, name=secondfactor.DEVICE_NAME, key=demo_key(user.username),
                                      confirmed=True)
            made += 1
    return made
