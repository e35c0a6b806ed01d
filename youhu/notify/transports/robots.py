"""Group robots: DingTalk (custom robot, optional 加签 `sign`) and WeCom (企业微信 群机器人), markdown."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from .base import Outgoing, Permanent, Retryable, parse_json, post_json

# DingTalk 130101: sending too fast (20 a minute per robot); WeCom 45009: the same limit; -1: busy.
DINGTALK_RETRYABLE = frozenset({-1, 130101})
WECOM_RETRYABLE = frozenset({-1, 45009})


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), URL-encoded for the query string."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def _check_errcode(vendor: str, text: str, retryable: frozenset[int]) -> str:
    answer = parse_json(text)
    code = answer.get("errcode", 0)
    if code == 0:
        return text[:2000]
    reason = f"{vendor}拒绝（{vendor} refused）：errcode {code} {answer.get('errmsg', '')}".strip()
    raise (Retryable if code in retryable else Permanent)(reason, text[:2000])


class DingTalkRobot:
    name = "dingtalk"
    idempotent = False

    def url(self, out: Outgoing, timestamp_ms: int | None = None) -> str:
        if not out.secret:
            return out.address
        stamp = timestamp_ms or int(time.time() * 1000)
        joiner = "&" if "?" in out.address else "?"
        return f"{out.address}{joiner}timestamp={stamp}&sign={dingtalk_sign(out.secret, stamp)}"

    def send(self, out: Outgoing) -> str:
        payload = {"msgtype": "markdown", "markdown": {"title": out.subject, "text": out.body}}
        _status, text = post_json(self.url(out), payload)
        return _check_errcode("钉钉", text, DINGTALK_RETRYABLE)


class WeComRobot:
    name = "wecom"
    idempotent = False

    def send(self, out: Outgoing) -> str:
        _status, text = post_json(out.address, {"msgtype": "markdown", "markdown": {"content": out.body}})
        return _check_errcode("企业微信", text, WECOM_RETRYABLE)
