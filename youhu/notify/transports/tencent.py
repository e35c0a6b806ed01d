"""Tencent Cloud SMS (SendSms, API 2021-01-11) signed with TC3-HMAC-SHA256:
canonical request = method, URI "/", empty query, the signed headers (content-type, host, x-tc-action,
lower-cased, each "name:value\\n"), their names, and the hex SHA-256 of the payload; string to sign =
"TC3-HMAC-SHA256", the timestamp, the credential scope "<UTC date>/sms/tc3_request" and the hex SHA-256 of
the canonical request; the key is derived HMAC-SHA256("TC3"+secret, date) -> "sms" -> "tc3_request".
Errors come as HTTP 200: Response.Error for the call, SendStatusSet[].Code for each number."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings

from .base import Outgoing, Permanent, Retryable, parse_json, post

SERVICE = "sms"
ACTION = "SendSms"
API_VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
SIGNED_HEADERS = "content-type;host;x-tc-action"
CONTENT_TYPE = "application/json; charset=utf-8"
RETRYABLE_PREFIXES = ("RequestLimitExceeded", "LimitExceeded.PhoneNumberThirtySecondLimit",
                      "LimitExceeded.PhoneNumberOneHourLimit", "InternalError", "FailedOperation.Timeout")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def authorization(*, secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int,
                  action: str = ACTION) -> str:
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical = "\n".join(["POST", "/", "", headers, SIGNED_HEADERS, hashlib.sha256(payload).hexdigest()])
    scope = f"{day}/{SERVICE}/tc3_request"
    to_sign = "\n".join([ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), day), SERVICE), "tc3_request")
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={sig}"


def is_retryable(code: str) -> bool:
    return code.startswith(RETRYABLE_PREFIXES)


class TencentSms:
    name = "sms-tencent"
    idempotent = False  # SessionContext is echoed back, not deduplicated

    def __init__(self, *, url: str, secret_id: str, secret_key: str, app_id: str, sign_name: str,
                 region: str = "ap-guangzhou"):
        self.url, self.secret_id, self.secret_key = url, secret_id, secret_key
        self.app_id, self.sign_name, self.region = app_id, sign_name, region

    @classmethod
    def from_settings(cls) -> TencentSms:
        conf = settings.YOUHU_NOTIFY
        return cls(url=conf["TENCENT_SMS_URL"], secret_id=conf["TENCENT_SECRET_ID"],
                   secret_key=conf["TENCENT_SECRET_KEY"], app_id=conf["TENCENT_SMS_APP_ID"],
                   sign_name=conf["SMS_SIGN_NAME"], region=conf["TENCENT_REGION"])

    def payload(self, out: Outgoing) -> bytes:
        if not out.vendor_code:
            raise Permanent("模板未配置腾讯云模板 ID（no Tencent TemplateId on the template）")
        return json.dumps({
            "PhoneNumberSet": [f"+86{out.address}"], "SmsSdkAppId": self.app_id, "SignName": self.sign_name,
            "TemplateId": out.vendor_code,
            "TemplateParamSet": [str(out.context.get(k, "")) for k in out.vendor_params],
            "SessionContext": out.key,
        }, ensure_ascii=False).encode()

    def send(self, out: Outgoing) -> str:
        body = self.payload(out)
        host = urlsplit(self.url).netloc
        stamp = int(time.time())
        _status, text = post(self.url, body, {
            "Content-Type": CONTENT_TYPE, "Host": host, "X-TC-Action": ACTION, "X-TC-Version": API_VERSION,
            "X-TC-Timestamp": str(stamp), "X-TC-Region": self.region,
            "Authorization": authorization(secret_id=self.secret_id, secret_key=self.secret_key, host=host,
                                           payload=body, timestamp=stamp),
        })
        response = parse_json(text).get("Response") or {}
        error = response.get("Error")
        if error:
            self._refuse(str(error.get("Code", "")), str(error.get("Message", "")), text)
        statuses = response.get("SendStatusSet") or []
        if not statuses:
            raise Retryable("腾讯云短信应答缺少发送状态（no SendStatusSet）", text[:2000])
        code = str(statuses[0].get("Code", ""))
        if code != "Ok":
            self._refuse(code, str(statuses[0].get("Message", "")), text)
        return text[:2000]

    @staticmethod
    def _refuse(code: str, message: str, text: str) -> None:
        reason = f"腾讯云短信拒绝（Tencent refused）：{code} {message}".strip()
        raise (Retryable if is_retryable(code) else Permanent)(reason, text[:2000])
