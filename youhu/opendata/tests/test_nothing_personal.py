"""Nothing personal leaves: every /open/ page, its CSV and the Open311 reads, on demo data whose replies are made
to name people, are scanned for phone-number-like, ID-number-like and name-like strings and for every
appellant's name in the database."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.utils import timezone

from youhu.demo.loader import load_demo
from youhu.testing.factories import at
from youhu.tickets.models import Ticket
from youhu.tickets.publishing import published_tickets

NOW = at("2026-06-16 10:30")
PHONE_LIKE = re.compile(r"(?<!\d)(?:1[3-9]\d(?:[-\s]?\d{4}){2}|0\d{2,3}[-\s)）]?\d{7,8})(?!\d)")
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# The most common surnames, written out here (not taken from the masking code under test).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
NAME_LIKE = re.compile(f"[{SURNAMES}](?:(?!某)[\u4e00-\u9fff]){{0,2}}(?:先生|女士|小姐)")
# What a careless reply says (issue 19): the appellant's name and phone, a colleague's landline, an ID number.
LEAKY_REPLY = "{name}先生您好：您反映的问题已处理。请与李四先生联系，电话13922220000、020-83456789，身份证号440106199001011234。"


def leaks(text: str, names: set[str]) -> list[str]:
    found = PHONE_LIKE.findall(text) + ID_LIKE.findall(text) + NAME_LIKE.findall(text)
    return found + [name for name in names if name in text]


def open311_windows(first, last) -> list[str]:
    """Open311 list queries covering every day from `first` to `last` (at most 90 days each)."""
    windows, start = [], first
    while start <= last:
        end = start + timedelta(days=89)
        windows.append(f"start_date={quote(start.isoformat())}&end_date={quote(end.isoformat())}")
        start = end
    return windows


@pytest.mark.django_db
def test_open_pages_csv_and_open311_publish_nothing_personal(client, monkeypatch, settings):
    load_demo(60, now=NOW, extras=[])
    monkeypatch.setattr("youhu.clock.now", lambda: NOW)
    settings.YOUHU_OPEN311_READ_RATE = "100000/h"
    cache.clear()
    replied = list(published_tickets().filter(replied_at__isnull=False, duplicate_of__isnull=True))
    assert replied, "the demo has published replies"
    for ticket in replied:
        surname = (ticket.appellant_name or "陈")[0]
        ticket.reply_text = LEAKY_REPLY.format(name=surname) + ticket.appellant_name + ticket.appellant_phone
        ticket.content = f"我叫{ticket.appellant_name}，电话{ticket.appellant_phone}。{ticket.content}"
        Ticket.objects.filter(pk=ticket.pk).update(reply_text=ticket.reply_text, content=ticket.content)
    names = {n for n in Ticket.objects.values_list("appellant_name", flat=True) if len(n) >= 2}

    home = client.get("/open/")
    assert home.status_code == 200
    months = re.findall(r'<option value="(\d{4}-\d{2})"', home.content.decode())
    assert len(months) == 12
    responses = {"/open/": home}
    for month in months:
        for path in (f"/open/?month={month}", f"/open/figures.csv?month={month}"):
            responses[path] = client.get(path)
    responses["/open/streets.geojson"] = client.get("/open/streets.geojson")
    first = timezone.localtime(Ticket.objects.order_by("created_at").first().created_at) - timedelta(days=1)
    for window in open311_windows(first, NOW + timedelta(days=1)):
        for fmt in ("json", "xml"):
            path = f"/open311/v2/requests.{fmt}?{window}"
            responses[path] = client.get(path)
    for number in Ticket.objects.values_list("number", flat=True):
        path = f"/open311/v2/requests/{number}.json"
        responses[path] = client.get(path)

    shown = 0
    for path, resp in responses.items():
        assert resp.status_code in (200, 404), path
        text = resp.content.decode("utf-8-sig")
        assert not leaks(text, names), (path, leaks(text, names)[:5])
        shown += resp.status_code == 200
    # the scan saw the replies it was meant to: masked, not missing
    assert "您反映的问题已处理" in home.content.decode() and "[电话]" in home.content.decode()
    assert any("您反映的问题已处理" in r.content.decode() for p, r in responses.items() if p.startswith("/open311/"))
    assert shown > 30
