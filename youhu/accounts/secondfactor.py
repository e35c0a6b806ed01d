"""The staff's second factor (TOTP, django-otp): who needs one, enrolling a device, checking a code.

Superusers and the roles in settings.YOUHU_SECOND_FACTOR_ROLES (admin, supervisor) must use one; any other
staff member may enrol from the 账号安全 page, and is then asked for a code at every login as well.
"""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.db import transaction
from django_otp.models import VerifyNotAllowed
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from youhu.directory.models import User

DEVICE_NAME = "动态验证码"


def required_for(user: User) -> bool:
    return user.is_superuser or user.has_role(*settings.YOUHU_SECOND_FACTOR_ROLES)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def asks_for_code(user: User) -> bool:
    """Whether a correct password is not yet enough to sign this user in."""
    return required_for(user) or confirmed_device(user) is not None


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device the enrolment page shows (the same one until confirmed, so a reload keeps it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


WRONG = "验证码不正确或已过期，请核对手机时间后输入应用中当前显示的验证码。"
TOO_MANY = "错误次数过多，请稍等几秒后输入应用中当前显示的验证码。"


def refusal(device: TOTPDevice, code: str) -> str | None:
    """None if `code` is right; else why it was not taken, for the form. django-otp's check: the code of this
    or a neighbouring 30 s step, once only, with growing delays after wrong codes (its throttling)."""
    code = (code or "").strip().replace(" ", "")
    with transaction.atomic():
        allowed, why = device.verify_is_allowed()
        if not allowed and why and why.get("reason") is VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return TOO_MANY
        return None if device.verify_token(code) else WRONG


@transaction.atomic
def confirm(device: TOTPDevice, code: str) -> str | None:
    """Confirms an enrolment with the device's first code (None, or why not); any other device of the user goes."""
    refused = refusal(device, code)
    if refused:
        return refused
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    return None


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in (base32, in groups of four)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # inline in the page: without the XML declaration


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (for the demo's published keys and for tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
