"""Mainland China mobile numbers, the only numbers an SMS is sent to."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_SEPARATORS = re.compile(r"[\s\-()]")


class NotAMobile(ValueError):
    pass


def mainland_mobile(raw: str) -> str:
    """The 11-digit number, or NotAMobile with a reason in Chinese and English."""
    match = _MOBILE.match(_SEPARATORS.sub("", raw or ""))
    if match is None:
        raise NotAMobile(f"不是大陆手机号，不发短信（not a mainland mobile number）：{mask(raw)}")
    return match.group(1)


def mask(phone: str) -> str:
    digits = (phone or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 11 else f"{'*' * (len(digits) - 4)}{digits[-4:]}"
