"""E-mail through Django's SMTP backend: YOUHU_SMTP_URL=smtp://user:pass@host:port (smtps:// for implicit
TLS; ?starttls=1 to upgrade a plain connection)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from .base import Outgoing, Permanent, Retryable, timeout

log = logging.getLogger("youhu.notify.email")


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str
    starttls: bool
    ssl: bool


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"YOUHU_SMTP_URL: expected smtp://user:pass@host:port, got {url!r}")
    query = parse_qs(parts.query)
    flag = (query.get("starttls") or query.get("tls") or ["0"])[0].lower()
    return SmtpConfig(host=parts.hostname, port=parts.port or (465 if parts.scheme == "smtps" else 25),
                      username=unquote(parts.username or ""), password=unquote(parts.password or ""),
                      starttls=flag in ("1", "true", "yes"), ssl=parts.scheme == "smtps")


class SmtpEmail:
    name = "email-smtp"
    idempotent = False  # SMTP servers do not deduplicate; the Message-ID at least lets clients fold repeats

    def __init__(self, config: SmtpConfig, sender: str):
        self.config, self.sender = config, sender

    def send(self, out: Outgoing) -> str:
        c = self.config
        backend = EmailBackend(host=c.host, port=c.port, username=c.username or None, password=c.password or None,
                               use_tls=c.starttls, use_ssl=c.ssl, timeout=timeout(), fail_silently=False)
        mail = EmailMessage(subject=out.subject, body=out.body, from_email=self.sender, to=[out.address],
                            headers={"Message-ID": f"<outbox-{out.key}@youhu>"}, connection=backend)
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            reason = f"收件人被拒（recipient refused）：{exc.recipients}"
            raise (Retryable if all(400 <= code < 500 for code in codes) else Permanent)(reason) from exc
        except smtplib.SMTPResponseException as exc:
            reason = f"邮件服务器拒绝（SMTP {exc.smtp_code}）：{exc.smtp_error!r}"
            raise (Retryable if 400 <= exc.smtp_code < 500 else Permanent)(reason) from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. AUTH only after STARTTLS: the URL needs ?starttls=1
            raise Permanent(f"邮件服务器不支持（SMTP server does not support）：{exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise Retryable(f"邮件服务器无法连接（SMTP unreachable）：{exc}") from exc
        return f"accepted by {c.host}:{c.port}"


class LogEmail:
    name = "email-log"
    idempotent = True

    def send(self, out: Outgoing) -> str:
        log.info("e-mail (no YOUHU_SMTP_URL, not sent) #%s: %s", out.key, out.subject)
        return "logged: YOUHU_SMTP_URL is not set"


def email_transport():
    conf = settings.YOUHU_NOTIFY
    if not conf["SMTP_URL"]:
        return LogEmail()
    return SmtpEmail(parse_smtp_url(conf["SMTP_URL"]), conf["MAIL_FROM"])
