"""E-mail through Django's SMTP backend to a real local SMTP server (aiosmtpd), plain with AUTH and STARTTLS."""

from __future__ import annotations

import ssl
import subprocess
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from youhu.notify.transports.base import Outgoing, Permanent, Retryable
from youhu.notify.transports.email import email_transport, parse_smtp_url

from .test_transports import free_port

MAIL = Outgoing(key="9", address="handler@example.cn", subject="【有呼必应】督办：工单 20260315-000123",
                body="督办：工单 20260315-000123 已超过办结时限\n\n查看工单：http://x/tickets/20260315-000123/")


class Inbox:
    def __init__(self):
        self.mails: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.mails.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"youhu" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def smtp_server():
    started = []

    def start(**kwargs) -> tuple[Inbox, int]:
        inbox, port = Inbox(), free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator, **kwargs)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for c in started:
        c.stop()


def subject_of(content: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(content)["Subject"])))


def test_parse_smtp_url():
    c = parse_smtp_url("smtp://us%40er:p%3Ass@mail.example.cn:2525?starttls=1")
    assert (c.host, c.port, c.username, c.password, c.starttls, c.ssl) == (
        "mail.example.cn", 2525, "us@er", "p:ss", True, False)
    assert parse_smtp_url("smtps://mail.example.cn").port == 465
    with pytest.raises(ValueError, match="YOUHU_SMTP_URL"):
        parse_smtp_url("http://mail.example.cn")


def test_delivers_with_auth_to_a_real_smtp_server(smtp_server, notify_settings):
    inbox, port = smtp_server(auth_require_tls=False)
    notify_settings(SMTP_URL=f"smtp://youhu:s3cret@127.0.0.1:{port}", MAIL_FROM="youhu@example.cn")
    email_transport().send(MAIL)
    [(sender, to, content)] = inbox.mails
    assert sender == "youhu@example.cn" and to == ["handler@example.cn"]
    assert subject_of(content) == MAIL.subject
    parsed = message_from_bytes(content)
    assert parsed["Message-ID"] == "<outbox-9@youhu>"
    assert "已超过办结时限" in parsed.get_payload(decode=True).decode()


def test_wrong_password_and_refused_recipient_are_permanent(smtp_server, notify_settings):
    _inbox, port = smtp_server(auth_require_tls=False)
    notify_settings(SMTP_URL=f"smtp://youhu:wrong@127.0.0.1:{port}")
    with pytest.raises(Permanent, match="535"):
        email_transport().send(MAIL)
    notify_settings(SMTP_URL=f"smtp://youhu:s3cret@127.0.0.1:{port}")
    with pytest.raises(Permanent, match="recipient refused"):
        email_transport().send(Outgoing(key="1", address="nobody@example.cn", subject="s", body="b"))


def test_unreachable_server_is_retried(notify_settings):
    notify_settings(SMTP_URL=f"smtp://127.0.0.1:{free_port()}", TIMEOUT_SECONDS=2)
    with pytest.raises(Retryable, match="SMTP unreachable"):
        email_transport().send(MAIL)


def test_starttls(smtp_server, notify_settings, tmp_path, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    inbox, port = smtp_server(tls_context=server_tls, require_starttls=True, auth_require_tls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this server's self-signed certificate
    notify_settings(SMTP_URL=f"smtp://youhu:s3cret@127.0.0.1:{port}")
    with pytest.raises(Permanent, match="AUTH"):  # no AUTH offered before STARTTLS
        email_transport().send(MAIL)
    notify_settings(SMTP_URL=f"smtp://youhu:s3cret@127.0.0.1:{port}?starttls=1")
    email_transport().send(MAIL)
    assert len(inbox.mails) == 1 and subject_of(inbox.mails[0][2]) == MAIL.subject
