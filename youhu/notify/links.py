"""Links in messages: absolute for robots and e-mail, /t/<code> short paths on Youhu itself for SMS.

A short code is the ticket number itself, packed: "YYYYMMDD-N" -> N * 2^16 + days since 2000-01-01, in base 62
(5 characters for the first 13,900 tickets of a day). No table and no query on intake's hot path; what a code
opens is the tracking form (the resident still types the code) or a staff page behind login, so a guessed
code reveals nothing.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NUMBER = re.compile(r"^(\d{4})(\d{2})(\d{2})-(\d{1,9})$")
_EPOCH = date(2000, 1, 1)
STAFF = "-"  # /t/-<code>: the staff ticket page instead of the tracking form


def base_url() -> str:
    return str(settings.YOUHU_NOTIFY["BASE_URL"]).rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def tracking_path(number: str) -> str:
    """The public tracking form with the number filled in."""
    return f"{reverse('portal:track')}?number={quote(number)}"


def ticket_path(number: str) -> str:
    """The staff ticket page; opened without a session it goes through login (?next=) and lands there."""
    return reverse("web:ticket_detail", kwargs={"number": number})


def encode(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 62)
        out = _ALPHABET[r] + out
        if n == 0:
            return out


def decode(code: str) -> int | None:
    if not 0 < len(code) <= 11:
        return None
    n = 0
    for ch in code:
        i = _ALPHABET.find(ch)
        if i < 0:
            return None
        n = n * 62 + i
    return n


def code_for(number: str) -> str | None:
    match = _NUMBER.match(number)
    if match is None:
        return None
    year, month, day, seq = (int(g) for g in match.groups())
    try:
        days = (date(year, month, day) - _EPOCH).days
    except ValueError:
        return None
    return encode(seq << 16 | days) if 0 <= days < 1 << 16 else None


def number_for(code: str) -> str | None:
    value = decode(code)
    if value is None:
        return None
    day = _EPOCH + timedelta(days=value & 0xFFFF)
    return f"{day:%Y%m%d}-{value >> 16:06d}"


def short_tracking(number: str) -> str:
    code = code_for(number)
    return absolute(f"/t/{code}" if code else tracking_path(number))


def short_ticket(number: str) -> str:
    code = code_for(number)
    return absolute(f"/t/{STAFF}{code}" if code else ticket_path(number))


def resolve(code: str) -> str | None:
    staff = code.startswith(STAFF)
    number = number_for(code[1:] if staff else code)
    if number is None:
        return None
    return ticket_path(number) if staff else tracking_path(number)
