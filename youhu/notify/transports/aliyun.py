"""Aliyun SMS (dysmsapi SendSms), RPC style: the signature is HMAC-SHA1, keyed with the AccessKey secret
followed by "&", over "POST&%2F&" + the percent-encoded canonical query (parameters sorted by name, names and
values percent-encoded per RFC 3986: only A-Z a-z 0-9 - _ . ~ left as they are, a space as %20).
Errors come as HTTP 200 with a Code other than "OK" in the body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from django.conf import settings

from .base import Outgoing, Permanent, Retryable, parse_json, post

API_VERSION = "2017-05-25"
# Throttling and the platform's own faults pass; everything else (a bad number, a template that lacks a
# parameter, a wrong signature, no balance) will not pass by being repeated.
RETRYABLE_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "ServiceUnavailable"})
RETRYABLE_PREFIXES = ("Throttling", "isp.", "InternalError")


def percent_encode(value: str) -> str:
    return quote(str(value), safe="~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_retryable(code: str) -> bool:
    return code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES)


class AliyunSms:
    name = "sms-aliyun"
    idempotent = False  # OutId is echoed back, not deduplicated

    def __init__(self, *, url: str, key_id: str, secret: str, sign_name: str, region: str = "cn-hangzhou"):
        self.url, self.key_id, self.secret, self.sign_name, self.region = url, key_id, secret, sign_name, region

    @classmethod
    def from_settings(cls) -> AliyunSms:
        conf = settings.YOUHU_NOTIFY
        return cls(url=conf["ALIYUN_SMS_URL"], key_id=conf["ALIYUN_ACCESS_KEY_ID"],
                   secret=conf["ALIYUN_ACCESS_KEY_SECRET"], sign_name=conf["SMS_SIGN_NAME"])

    def params(self, out: Outgoing, *, now: datetime | None = None, nonce: str | None = None) -> dict[str, str]:
        if not out.vendor_code:
            raise Permanent("模板未配置阿里云模板编号（no Aliyun TemplateCode on the template）")
        return {
            "AccessKeyId": self.key_id, "Action": "SendSms", "Format": "JSON", "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce or uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": API_VERSION,
            "PhoneNumbers": out.address, "SignName": self.sign_name, "TemplateCode": out.vendor_code,
            "TemplateParam": json.dumps({k: str(out.context.get(k, "")) for k in out.vendor_params},
                                        ensure_ascii=False),
            "OutId": out.key,
        }

    def send(self, out: Outgoing) -> str:
        params = self.params(out)
        params["Signature"] = signature(params, self.secret)
        _status, text = post(self.url, urlencode(params, quote_via=quote).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        answer = parse_json(text)
        code = str(answer.get("Code", ""))
        if code == "OK":
            return text[:2000]
        reason = f"阿里云短信拒绝（Aliyun refused）：{code} {answer.get('Message', '')}".strip()
        raise (Retryable if is_retryable(code) else Permanent)(reason, text[:2000])
