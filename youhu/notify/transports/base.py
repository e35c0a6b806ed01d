"""The transport interface and the outcome of one delivery."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings


class DeliveryError(Exception):
    def __init__(self, reason: str, answer: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.answer = answer


class Retryable(DeliveryError):
    """Timeout, 5xx, unreachable, a vendor's throttling code: a later try may succeed."""


class Permanent(DeliveryError):
    """Invalid number, rejected template, bad credentials: trying again sends nothing either."""


@dataclass(slots=True)
class Outgoing:
    key: str  # the outbox id: the idempotency key where the gateway takes one
    address: str  # phone, e-mail address or webhook URL
    subject: str
    body: str
    link: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    vendor_code: str = ""
    vendor_params: tuple[str, ...] = ()
    secret: str = ""


class Transport(Protocol):
    name: str
    # True when a repeated delivery of the same key reaches the recipient once (the gateway deduplicates):
    # a delivery interrupted in flight is then safely retried, otherwise it waits for a person (待核实).
    idempotent: bool

    def send(self, out: Outgoing) -> str: ...


def timeout() -> float:
    return float(settings.YOUHU_NOTIFY["TIMEOUT_SECONDS"])


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST and return (status, text) of a 2xx answer; Retryable for what a retry can cure, else Permanent."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:
            return response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(4096).decode("utf-8", "replace")
        reason = f"网关应答 HTTP {exc.code}（gateway answered {exc.code}）"
        if exc.code >= 500 or exc.code in (408, 429):
            raise Retryable(reason, text) from exc
        raise Permanent(reason, text) from exc
    except TimeoutError as exc:
        raise Retryable(f"网关超时（gateway timed out after {timeout():g} s）") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise Retryable(f"网关超时（gateway timed out after {timeout():g} s）") from exc
        raise Retryable(f"网关无法连接（gateway unreachable）：{exc.reason}") from exc
    except OSError as exc:
        raise Retryable(f"网关连接中断（connection failed）：{exc}") from exc


def post_json(url: str, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, str]:
    data = json.dumps(payload, ensure_ascii=False).encode()
    return post(url, data, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def parse_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise Retryable(f"网关应答不是 JSON（answer is not JSON）：{text[:200]}", text) from exc
    if not isinstance(value, dict):
        raise Retryable("网关应答格式不对（unexpected answer）", text)
    return value
