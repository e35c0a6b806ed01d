"""Links in messages: absolute for robots and e-mail, /t/<code> short paths on Youhu itself for SMS."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

from .models import ShortLink

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def base_url() -> str:
    return str(settings.YOUHU_NOTIFY["BASE_URL"]).rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def tracking_path(number: str) -> str:
    """The public tracking form with the number filled in: the resident still types the code."""
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
    n = 0
    for ch in code:
        i = _ALPHABET.find(ch)
        if i < 0:
            return None
        n = n * 62 + i
    return n


def shorten(path: str) -> str:
    """An absolute short link to `path`. The code is the row's id in base 62 (4 characters up to 14 million
    links): what it points to is a form or a login page, so a guessed code reveals nothing."""
    link = ShortLink.objects.create(target=path)
    return absolute(reverse("notify:short", kwargs={"code": encode(link.pk)}))


def resolve(code: str) -> str | None:
    pk = decode(code) if 0 < len(code) <= 11 else None
    if pk is None:
        return None
    return ShortLink.objects.filter(pk=pk).values_list("target", flat=True).first()
