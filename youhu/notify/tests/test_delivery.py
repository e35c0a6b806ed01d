"""The delivery state machine: claim, send, record; retries with backoff; the sweep; idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from youhu.notify import delivery
from youhu.notify.models import Attempt, Channel, Message, Status, UnitChannel
from youhu.notify.transports.base import Permanent, Retryable
from youhu.testing.factories import at, make_ticket
from youhu.tickets.models import Status as TicketStatus

pytestmark = pytest.mark.django_db
NOW = at("2026-03-02 10:00")


class Scripted:
    """A transport answering from a script: a string is accepted, an exception raised."""

    def __init__(self, *script, idempotent=True):
        self.script, self.sent, self.idempotent, self.name = list(script), [], idempotent, "scripted"

    def send(self, out):
        self.sent.append(out)
        step = self.script.pop(0) if self.script else "ok"
        if isinstance(step, Exception):
            raise step
        return step


@pytest.fixture
def transport(monkeypatch):
    def use(*script, idempotent=True) -> Scripted:
        t = Scripted(*script, idempotent=idempotent)
        monkeypatch.setattr(delivery, "transport_for", lambda message: t)
        return t

    return use


@pytest.fixture
def sms(district):
    make_ticket(appellant_phone="13800138000", now=NOW)
    return Message.objects.get()


def test_sent_once_with_the_outbox_id_as_key_and_the_code_redacted_after(sms, transport):
    t = transport("accepted")
    code = sms.context["code"]
    assert delivery.deliver(sms.pk, now=NOW) is None
    sms.refresh_from_db()
    assert sms.status == Status.SENT and sms.sent_at and sms.attempts == 1
    assert [o.key for o in t.sent] == [str(sms.pk)] and code in t.sent[0].body
    assert code not in sms.body and "code" not in sms.context  # the secret is not kept once it has gone
    [attempt] = sms.log.all()
    assert attempt.outcome == Attempt.Outcome.SENT and attempt.answer == "accepted" and attempt.transport == "scripted"
    # a second task for the same row (a sweep's duplicate) finds it done and sends nothing
    assert delivery.deliver(sms.pk, now=NOW) is None
    assert len(t.sent) == 1


def test_retryable_failures_back_off_then_give_up(sms, transport, notify_settings):
    notify_settings(MAX_ATTEMPTS=3, RETRY_BASE_SECONDS=30)
    t = transport(Retryable("网关超时（gateway timed out）"), Retryable("HTTP 500", "boom"),
                  Retryable("HTTP 503"))
    due = delivery.deliver(sms.pk, now=NOW)
    sms.refresh_from_db()
    assert sms.status == Status.PENDING and "timed out" in sms.reason
    assert due == sms.not_before == NOW + timedelta(seconds=30)
    assert delivery.deliver(sms.pk, now=NOW) is None  # not due yet: not claimed, not sent
    assert len(t.sent) == 1
    second = delivery.deliver(sms.pk, now=due)
    assert second == due + timedelta(seconds=60)  # doubled
    sms.refresh_from_db()
    assert delivery.deliver(sms.pk, now=sms.not_before) is None
    sms.refresh_from_db()
    assert sms.status == Status.GIVEN_UP and "gave up after 3 attempts" in sms.reason
    outcomes = list(sms.log.values_list("outcome", "answer"))
    assert outcomes == [("retry", "网关超时（gateway timed out）"), ("retry", "boom"), ("given_up", "HTTP 503；已尝试 3 次（gave up after 3 attempts）")]


def test_permanent_failure_is_recorded_and_not_retried(sms, transport):
    transport(Permanent("阿里云短信拒绝（Aliyun refused）：isv.MOBILE_NUMBER_ILLEGAL", '{"Code": "..."}'))
    assert delivery.deliver(sms.pk, now=NOW) is None
    sms.refresh_from_db()
    assert sms.status == Status.FAILED and "MOBILE_NUMBER_ILLEGAL" in sms.reason
    assert sms.log.get().answer == '{"Code": "..."}'


def test_a_crash_in_a_transport_is_recorded_and_retried(sms, transport):
    transport(RuntimeError("bug"))
    assert delivery.deliver(sms.pk, now=NOW) is not None
    sms.refresh_from_db()
    assert sms.status == Status.PENDING and "internal error" in sms.reason


def test_claim_is_exclusive(sms):
    assert delivery.claim(sms.pk, NOW) is not None
    assert delivery.claim(sms.pk, NOW) is None


class TestSweep:
    def test_an_interrupted_idempotent_delivery_is_resent_with_the_same_key(self, sms, transport):
        t = transport()
        key = delivery.claim(sms.pk, NOW).attempt_key  # the worker died after this, maybe after the gateway had it
        assert delivery.sweep(NOW + timedelta(seconds=30)) == ([], 0, 0)  # not stuck yet
        ids, retaken, doubtful = delivery.sweep(NOW + timedelta(minutes=3))
        assert (ids, retaken, doubtful) == ([sms.pk], 1, 0)
        assert Attempt.objects.get(key=key).outcome == Attempt.Outcome.INTERRUPTED
        delivery.deliver(sms.pk, now=NOW + timedelta(minutes=3))
        assert [o.key for o in t.sent] == [str(sms.pk)]
        sms.refresh_from_db()
        assert sms.status == Status.SENT and sms.attempts == 2

    def test_an_interrupted_delivery_without_idempotency_waits_for_a_person(self, sms, transport):
        t = transport(idempotent=False)
        delivery.claim(sms.pk, NOW)
        assert delivery.sweep(NOW + timedelta(minutes=3)) == ([], 0, 1)
        sms.refresh_from_db()
        assert sms.status == Status.UNKNOWN and "not resent" in sms.reason
        assert delivery.deliver(sms.pk, now=NOW + timedelta(minutes=4)) is None and t.sent == []
        assert delivery.resend([sms.pk]) == [sms.pk]
        delivery.deliver(sms.pk, now=NOW + timedelta(minutes=5))
        sms.refresh_from_db()
        assert sms.status == Status.SENT and len(t.sent) == 1

    def test_a_late_attempt_cannot_overwrite_the_sweeps_decision(self, sms, transport):
        key = delivery.claim(sms.pk, NOW).attempt_key
        delivery.sweep(NOW + timedelta(minutes=3))
        message = Message.objects.get(pk=sms.pk)
        assert not delivery._record(message, key, "scripted", Status.SENT, Attempt.Outcome.SENT, "", "late")
        assert Message.objects.get(pk=sms.pk).status == Status.PENDING

    def test_pending_rows_whose_task_was_lost_are_queued_again(self, sms):
        assert delivery.sweep(NOW + timedelta(seconds=30))[0] == []
        assert delivery.sweep(NOW + timedelta(minutes=2))[0] == [sms.pk]
        Message.objects.filter(pk=sms.pk).update(not_before=NOW + timedelta(hours=1))
        assert delivery.sweep(NOW + timedelta(minutes=2))[0] == []  # a retry not yet due


def test_a_robot_without_its_webhook_any_more_fails_for_good(district):
    channel = UnitChannel.objects.create(unit=district.roads, wecom_webhook="http://127.0.0.1:9/x")
    district.ticket_in(TicketStatus.DISPATCHED, now=NOW)
    row = Message.objects.get(channel=Channel.WECOM)
    channel.delete()
    delivery.deliver(row.pk, now=NOW)
    row.refresh_from_db()
    assert row.status == Status.FAILED and "no such robot" in row.reason


@pytest.mark.django_db(transaction=True)
def test_api_appeal_reaches_the_sms_gateway_on_commit(receiver, notify_settings, district):
    """The queue runs tasks at once in tests: the SMS goes out when the appeal's transaction commits."""
    from youhu.access.keys import create_api_key
    from youhu.dispatch.services import use_classifier

    gateway = receiver(lambda seen: (200, {"ok": True}))
    notify_settings(SMS_URL=gateway.url + "/sms")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(district.dispatcher, name='t').secret}")
    with use_classifier(None):
        created = client.post("/api/tickets", {"title": "路灯不亮", "content": "小区门口路灯一周不亮。",
                                               "channel": "web", "appellant_phone": "13800138000"},
                              content_type="application/json")
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    [seen] = gateway.requests
    body = seen.json()
    assert body["to"] == "13800138000" and number in body["text"]
    row = Message.objects.get(event="resident.registered")
    assert body["id"] == str(row.pk) and row.status == Status.SENT


def test_aliyun_through_the_outbox_uses_the_templates_vendor_code_and_parameters(district, receiver,
                                                                                  notify_settings):
    from .test_transports import aliyun_gateway

    gateway = receiver(aliyun_gateway())
    notify_settings(SMS_BACKEND="aliyun", ALIYUN_SMS_URL=gateway.url + "/", ALIYUN_ACCESS_KEY_ID="testid",
                    ALIYUN_ACCESS_KEY_SECRET="testsecret")
    from youhu.notify.models import Template

    Template.objects.filter(event="resident.registered", kind="sms").update(
        vendor_code="SMS_123456", vendor_params="number,code")
    ticket = make_ticket(appellant_phone="13800138000", now=NOW, created_at=at("2026-03-15 09:00"))
    row = Message.objects.get()
    row.context["number"] = "20260315-000123"  # the fake gateway checks these values
    row.context["code"] = "K7QX2M9P"
    row.save()
    delivery.deliver(row.pk, now=NOW)
    row.refresh_from_db()
    assert row.status == Status.SENT, row.reason
    assert row.log.get().transport == "sms-aliyun" and ticket.pk


def test_an_unknown_event_is_logged_and_skipped(district, caplog):
    from youhu.notify import outbox

    assert outbox.tell(outbox.Notice("unit.something_new", number="X")) == []
    assert "no rule for event" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_reaches_the_units_dingtalk_robot(receiver, district):
    """Done when: a dispatch reaches the unit's DingTalk robot, signed, with a link to the ticket page."""
    import base64
    import hashlib
    import hmac

    def answer(seen):
        stamp = seen.query["timestamp"][0]
        expected = base64.b64encode(hmac.new(b"SECroads", f"{stamp}\nSECroads".encode(), hashlib.sha256).digest())
        ok = seen.query.get("sign", [""])[0] == expected.decode()
        return 200, {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign not match"}

    robot = receiver(answer)
    UnitChannel.objects.create(unit=district.roads, dingtalk_webhook=robot.url + "/robot/send?access_token=tok",
                               dingtalk_secret="SECroads")
    ticket = district.ticket_in(TicketStatus.DISPATCHED, now=NOW)
    [seen] = robot.requests
    body = seen.json()
    assert body["msgtype"] == "markdown" and ticket.number in body["markdown"]["title"]
    assert f"/tickets/{ticket.number}/)" in body["markdown"]["text"] and ticket.title in body["markdown"]["text"]
    row = Message.objects.get(channel=Channel.DINGTALK)
    assert row.status == Status.SENT and row.log.get().transport == "dingtalk"
