"""The transport interface and the outcome of one delivery."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

import urllib3
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


def _pool() -> urllib3.PoolManager:
    """One pool of kept-alive connections per process (huey's workers are forked processes): a TLS handshake
    per message would cost more than the message."""
    global _manager, _manager_pid
    if _manager is None or _manager_pid != os.getpid():
        _manager, _manager_pid = urllib3.PoolManager(num_pools=32, maxsize=16, retries=False), os.getpid()
    return _manager


_manager: urllib3.PoolManager | None = None
_manager_pid = 0


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST and return (status, text) of a 2xx answer; Retryable for what a retry can cure, else Permanent.
    Never retried here: a retry is the outbox's decision, recorded and backed off."""
    try:
        response = _pool().request("POST", url, body=body, headers=headers, retries=False,
                                   timeout=urllib3.Timeout(connect=timeout(), read=timeout()))
    except urllib3.exceptions.NewConnectionError as exc:  # before its base class, the connect timeout
        raise Retryable(f"网关无法连接（gateway unreachable）：{exc}") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise Retryable(f"网关超时（gateway timed out after {timeout():g} s）") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise Retryable(f"网关连接中断（connection failed）：{exc}") from exc
    text = response.data[:65536].decode("utf-8", "replace")
    if 200 <= response.status < 300:
        return response.status, text
    reason = f"网关应答 HTTP {response.status}（gateway answered {response.status}）"
    if response.status >= 500 or response.status in (408, 429):
        raise Retryable(reason, text[:4096])
    raise Permanent(reason, text[:4096])


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
