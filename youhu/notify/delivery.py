"""Delivering one outbox row, and the sweep that recovers rows a dead worker left behind.

What is guaranteed (docs/notify.md, "Delivery guarantees"):
- nothing lost: every committed row reaches a final state (sent, failed, given up, skipped, cancelled,
  or 待核实 for a person to look at); a worker killed at any point leaves its row pending or sending, and the
  sweep takes it up again;
- once a gateway's acceptance is recorded the row is never sent again: a row is claimed (pending -> sending,
  with a fresh attempt key) by one conditional UPDATE that is committed before the gateway is called, so two
  tasks for the same row (a sweep's and the original) never both send it, and the answer is recorded only
  by the attempt that holds the claim;
- in doubt (the worker died between calling the gateway and recording its answer) the row is sent again
  only to a transport whose gateway deduplicates by the outbox id (the generic SMS gateway's "id"); for
  the others it becomes 待核实 (unknown) and is not sent again by itself.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from youhu import clock, db

from . import statements, texts
from .models import Attempt, Channel, Message, Status, UnitChannel
from .transports.base import DeliveryError, Outgoing, Permanent, Retryable, Transport
from .transports.email import email_transport
from .transports.robots import DingTalkRobot, WeComRobot
from .transports.sms import sms_transport

log = logging.getLogger(__name__)

SECRET_CONTEXT = ("code",)  # the tracking code: kept only until the message has gone


def conf(name: str):
    return settings.YOUHU_NOTIFY[name]


def transport_for(message: Message) -> Transport:
    if message.channel == Channel.SMS:
        return sms_transport()
    if message.channel == Channel.EMAIL:
        return email_transport()
    if message.channel == Channel.DINGTALK:
        return DingTalkRobot()
    if message.channel == Channel.WECOM:
        return WeComRobot()
    raise ValueError(f"unknown channel {message.channel!r}")


def outgoing(message: Message) -> Outgoing:
    kind = message.template.rsplit("/", 1)[-1]
    _subject, _body, vendor_code, vendor_params = texts.text_for(message.event, kind) or ("", "", "", "")
    out = Outgoing(key=message.idempotency_key, address=message.address, subject=message.subject,
                   body=message.body, link=message.link, context=message.context, vendor_code=vendor_code,
                   vendor_params=tuple(p.strip() for p in vendor_params.split(",") if p.strip()))
    if message.channel in (Channel.DINGTALK, Channel.WECOM):
        robot = UnitChannel.objects.filter(unit_id=message.unit_id, active=True).first()
        url = (robot.dingtalk_webhook if message.channel == Channel.DINGTALK else robot.wecom_webhook) if robot else ""
        if not url:
            raise Permanent("单位未配置该群机器人（the unit has no such robot any more）")
        out.address = url
        out.secret = robot.dingtalk_secret if message.channel == Channel.DINGTALK else ""
    return out


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to an hour between tries."""
    base, cap = float(conf("RETRY_BASE_SECONDS")), float(conf("RETRY_MAX_SECONDS"))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def claim(message_id: int, now: datetime) -> Message | None:
    """Take the row for one attempt: one statement, committed before the gateway is called (the attempt's
    log row is written with its result, or by the sweep for an attempt that never came back). None if the row
    is not pending and due (sent, being sent by another attempt, not yet due)."""
    return statements.claim(message_id, uuid.uuid4().hex, now)


def deliver(message_id: int, now: datetime | None = None) -> datetime | None:
    """One attempt at the row. Returns when to try again (None: no retry: done, failed or not ours)."""
    now = now or clock.now()
    message = claim(message_id, now)
    if message is None:
        return None
    key = message.attempt_key
    name = "?"
    try:
        transport = transport_for(message)
        name = transport.name
        answer = transport.send(outgoing(message))
    except Retryable as exc:
        return _record_retry(message, key, name, exc, now)
    except Permanent as exc:
        _record(message, key, name, Status.FAILED, Attempt.Outcome.FAILED, exc.reason, exc.answer)
    except Exception as exc:  # a bug or a misconfiguration: recorded, and retried in case it is mended
        log.exception("delivering outbox message %s through %s failed", message_id, name)
        return _record_retry(message, key, name, Retryable(f"内部错误（internal error）：{exc!r}"), now)
    else:
        _record(message, key, name, Status.SENT, Attempt.Outcome.SENT, "", answer, sent_at=clock.now())
    return None


def _record_retry(message: Message, key: str, name: str, exc: DeliveryError, now: datetime) -> datetime | None:
    if message.attempts >= int(conf("MAX_ATTEMPTS")):
        _record(message, key, name, Status.GIVEN_UP, Attempt.Outcome.GIVEN_UP,
                f"{exc.reason}；已尝试 {message.attempts} 次（gave up after {message.attempts} attempts）", exc.answer)
        return None
    due = now + backoff(message.attempts)
    recorded = _record(message, key, name, Status.PENDING, Attempt.Outcome.RETRY, exc.reason, exc.answer, not_before=due)
    return due if recorded else None


def _record(message: Message, key: str, transport: str, status: str, outcome: str, reason: str, answer: str, *,
            sent_at: datetime | None = None, not_before: datetime | None = None) -> bool:
    """Write the attempt's result, if the attempt still holds the row (the sweep may have taken it back)."""
    fields = {"status": status, "reason": reason[:2000], "attempt_key": "", "sending_since": None}
    if sent_at is not None:
        fields["sent_at"] = sent_at
        if any(k in message.context for k in SECRET_CONTEXT):
            fields["context"] = {k: v for k, v in message.context.items() if k not in SECRET_CONTEXT}
            fields["body"] = _redact(message.body, message.context)
    if not_before is not None:
        fields["not_before"] = not_before
    result = {"transport": transport, "finished_at": clock.now(), "outcome": outcome,
              "answer": (answer or reason)[:4000]}
    with db.writing():
        mine = statements.record(message.pk, key, fields)
        if mine:
            statements.log_attempt(message_id=message.pk, key=key, started_at=message.sending_since or clock.now(),
                                   **result)
        else:  # the sweep logged the attempt as interrupted: its log row gets the answer that came too late
            Attempt.objects.filter(key=key).update(**result)
    if not mine:
        log.warning("outbox message %s: attempt %s finished after the sweep took the row back", message.pk, key)
    return bool(mine)


def _redact(body: str, context: dict) -> str:
    for k in SECRET_CONTEXT:
        if context.get(k):
            body = body.replace(str(context[k]), "*" * len(str(context[k])))
    return body


def sweep(now: datetime | None = None, *, stuck_after: timedelta | None = None,
          late_after: timedelta | None = None) -> tuple[list[int], int, int]:
    """Recover what dead workers and lost tasks left: returns (ids to queue again, rows taken back from a dead
    attempt, rows set 待核实)."""
    now = now or clock.now()
    stuck_after = stuck_after if stuck_after is not None else timedelta(seconds=float(conf("STUCK_AFTER_SECONDS")))
    late_after = late_after if late_after is not None else timedelta(seconds=float(conf("LATE_AFTER_SECONDS")))
    retaken = doubtful = 0
    for message in Message.objects.filter(status=Status.SENDING, sending_since__lte=now - stuck_after):
        try:
            idempotent = transport_for(message).idempotent
        except ValueError:
            idempotent = False
        with db.writing():
            if idempotent:
                changed = Message.objects.filter(pk=message.pk, status=Status.SENDING,
                                                 attempt_key=message.attempt_key).update(
                    status=Status.PENDING, attempt_key="", sending_since=None, not_before=None,
                    reason="投递中断，将以同一编号重发（interrupted; resent with the same id）")
                retaken += changed
            else:
                changed = Message.objects.filter(pk=message.pk, status=Status.SENDING,
                                                 attempt_key=message.attempt_key).update(
                    status=Status.UNKNOWN, attempt_key="", sending_since=None,
                    reason="投递中断，网关可能已收到；为免重复不自动重发，请核实后在后台重发"
                           "（interrupted in flight; the gateway may have it: not resent by itself）")
                doubtful += changed
            if changed:
                Attempt.objects.get_or_create(key=message.attempt_key, defaults={
                    "message_id": message.pk, "transport": "", "started_at": message.sending_since or now,
                    "finished_at": now, "outcome": Attempt.Outcome.INTERRUPTED})
    late = Message.objects.filter(Q(not_before__isnull=True, created_at__lte=now - late_after)
                                  | Q(not_before__lte=now - late_after), status=Status.PENDING)
    ids = list(late.order_by("pk").values_list("pk", flat=True)[:int(conf("SWEEP_LIMIT"))])
    return ids, retaken, doubtful


def resend(message_ids: list[int], now: datetime | None = None) -> list[int]:
    """A person's decision (admin): send these rows again (待核实, given up, failed)."""
    now = now or clock.now()
    rows = Message.objects.filter(pk__in=message_ids,
                                  status__in=(Status.UNKNOWN, Status.GIVEN_UP, Status.FAILED))
    ids = list(rows.values_list("pk", flat=True))
    rows.update(status=Status.PENDING, not_before=None, attempts=0, reason="后台重发（resent by an operator）")
    return ids
