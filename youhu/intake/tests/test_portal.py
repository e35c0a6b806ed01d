"""Public portal: submit (validation, photo, CSRF, rate limit), track with the code, review."""

import io
import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from PIL import Image

from youhu.tickets import services
from youhu.tickets.models import Channel, Status, Ticket

FORM = {"appeal_type": "complaint", "title": "楼下餐馆油烟扰民", "content": "新港东路 88 号一楼餐馆油烟直排，已持续一个月。",
        "address": "新港东路 88 号", "contact_name": "王五", "contact_phone": "13700137000"}


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    caches[settings.RATELIMIT_USE_CACHE].clear()


def png(size=(4, 4)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, "red").save(data, "PNG")
    data.seek(0)
    data.name = "photo.png"
    return data


def submit(client, **fields):
    return client.post("/portal/", {**FORM, **fields})


def submitted(client, **fields) -> tuple[str, str]:
    resp = submit(client, **fields)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    page = client.get(resp["Location"]).content.decode()
    number = re.search(r'id="ticket-number">([^<]+)<', page).group(1)
    code = re.search(r'id="tracking-code">([^<]+)<', page).group(1)
    return number, code


@pytest.mark.django_db
def test_submit_shows_number_and_code_once(client, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert "我要反映" in client.get("/portal/").content.decode()
    number, code = submitted(client, street=district.street.pk, photo=png(), lat="23.1", lon="113.3")
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == Channel.WEB and ticket.street == district.street and ticket.lat == 23.1
    assert ticket.tracking_code_hash == services.hash_tracking_code(code)
    assert ticket.photo.name.endswith(".png") and (tmp_path / ticket.photo.name).exists()
    assert ticket.status == Status.REGISTERED  # triaged
    assert client.get("/portal/done/").status_code == 302  # the code is not shown again


@pytest.mark.django_db
@pytest.mark.parametrize("fields, field_error", [
    ({"title": ""}, "title"),
    ({"content": "x" * 5001}, "content"),
    ({"contact_phone": "abc"}, "contact_phone"),
    ({"address": "", "street": ""}, "address"),
    ({"lat": "91", "lon": "10"}, "lat"),
    ({"lat": "23"}, "lat"),
    ({"appeal_type": "bribe"}, "appeal_type"),
    ({"street": "99999"}, "street"),
])
def test_bad_input_shows_field_error(client, district, fields, field_error):
    resp = submit(client, **fields)
    assert resp.status_code == 400
    assert field_error in resp.context["form"].errors
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_photo_must_be_a_real_small_image(client, district, monkeypatch):
    fake = io.BytesIO(b"MZ\x90\x00 not an image at all")
    fake.name = "photo.jpg"
    resp = submit(client, photo=fake)
    assert resp.status_code == 400 and "photo" in resp.context["form"].errors
    monkeypatch.setattr("youhu.intake.portal.PHOTO_MAX_BYTES", 50)
    resp = submit(client, photo=png((64, 64)))
    assert resp.status_code == 400 and "5MB" in str(resp.context["form"].errors["photo"])
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_csrf_enforced(district):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/portal/", FORM).status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_submit_and_tracking_are_rate_limited(client, district, settings):
    settings.YOUHU_PORTAL_SUBMIT_RATE = "2/d"
    settings.YOUHU_PORTAL_TRACK_RATE = "3/d"
    assert submit(client).status_code == submit(client).status_code == 302
    assert submit(client).status_code == 429
    assert Ticket.objects.count() == 2
    for _ in range(3):
        assert client.post("/portal/track/", {"number": "20260302-000001", "code": "WRONG"}).status_code == 400
    assert client.post("/portal/track/", {"number": "20260302-000001", "code": "WRONG"}).status_code == 429


@pytest.mark.django_db
def test_tracking_needs_the_right_code_and_shows_public_progress_only(district):
    resident = Client()
    number, code = submitted(resident)
    ticket = Ticket.objects.get(number=number)
    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, category=district.category)
    services.accept(ticket, by=district.handler)
    services.handle(ticket, by=district.handler, note="内部：业主难缠，先拖一拖")

    stranger = Client()
    assert stranger.get(f"/portal/track/{number}/").status_code == 302  # not without the code
    assert stranger.post("/portal/track/", {"number": number, "code": "AAAAAAAA"}).status_code == 400
    resp = stranger.post("/portal/track/", {"number": number, "code": code.lower()})
    assert resp.status_code == 302
    page = stranger.get(resp["Location"]).content.decode()
    assert "办理中" in page and "区住房建设和交通局" in page
    assert "业主难缠" not in page and "13700137000" not in page and "王五" not in page


@pytest.mark.django_db
def test_reply_hidden_while_withheld_then_review_closes(district):
    resident = Client()
    number, code = submitted(resident)
    ticket = Ticket.objects.get(number=number)
    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, category=district.category)
    services.accept(ticket, by=district.handler)
    services.reply(ticket, by=district.handler, text="已责令餐馆安装油烟净化器。")
    services.withhold_reply(ticket, by=None, reason="质检")
    page = resident.get(f"/portal/track/{number}/").content.decode()
    assert "油烟净化器" not in page and "评价办理结果" not in page
    services.release_reply(ticket, by=district.supervisor)
    page = resident.get(f"/portal/track/{number}/").content.decode()
    assert "油烟净化器" in page and "评价办理结果" in page
    bad = resident.post(f"/portal/track/{number}/review/", {"resolved": "yes"})
    assert bad.status_code == 400
    resp = resident.post(f"/portal/track/{number}/review/", {"resolved": "yes", "satisfaction": "basically"})
    assert resp.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.review_satisfaction == "basically"
    assert ticket.events.get(action="review").actor_label == "诉求人"


@pytest.mark.django_db
def test_merged_ticket_shows_master_progress_and_reply(district):
    resident = Client()
    number, _code = submitted(resident)
    master = district.ticket_in(Status.REPLIED)
    duplicate = Ticket.objects.get(number=number)
    services.merge(duplicate, by=district.dispatcher, into=master)
    page = resident.get(f"/portal/track/{number}/").content.decode()
    assert master.number in page and "路灯线路老化" in page
