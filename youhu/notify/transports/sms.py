"""SMS to a generic HTTP gateway (YOUHU_SMS_URL), or to the log when none is configured (demo mode)."""

from __future__ import annotations

import logging

from django.conf import settings

from .base import Outgoing, post_json

log = logging.getLogger("youhu.notify.sms")


class HttpSms:
    """POST {"to", "text", "id"}; any 2xx is accepted. The gateway must treat a repeated id as the same
    message (that contract is what lets an interrupted delivery be retried without a second SMS)."""

    name = "sms-http"
    idempotent = True

    def __init__(self, url: str):
        self.url = url

    def send(self, out: Outgoing) -> str:
        _status, text = post_json(self.url, {"to": out.address, "text": out.body, "id": out.key})
        return text[:2000]


class LogSms:
    """No gateway: the text goes to the log and stays readable in the admin's outbox."""

    name = "sms-log"
    idempotent = True

    def send(self, out: Outgoing) -> str:
        log.info("SMS (no YOUHU_SMS_URL, not sent) #%s to %s: %s", out.key, out.address[:3] + "****", out.body)
        return "logged: YOUHU_SMS_URL is not set"


def sms_transport():
    conf = settings.YOUHU_NOTIFY
    backend = conf["SMS_BACKEND"] or ("http" if conf["SMS_URL"] else "log")
    if backend == "http":
        return HttpSms(conf["SMS_URL"])
    if backend == "aliyun":
        from .aliyun import AliyunSms

        return AliyunSms.from_settings()
    if backend == "tencent":
        from .tencent import TencentSms

        return TencentSms.from_settings()
    if backend == "log":
        return LogSms()
    raise ValueError(f"YOUHU_SMS_BACKEND: unknown backend {backend!r} (http, aliyun, tencent, log)")
