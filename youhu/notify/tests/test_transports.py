"""Each transport against a local fake of its gateway that checks what a real one checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from dataclasses import replace
from urllib.parse import parse_qsl, quote, unquote_plus

import pytest

from youhu.notify.transports import aliyun, tencent
from youhu.notify.transports.base import Outgoing, Permanent, Retryable
from youhu.notify.transports.robots import DingTalkRobot, WeComRobot
from youhu.notify.transports.sms import HttpSms

SMS = Outgoing(key="42", address="13800138000", subject="", body="【有呼必应】已受理，单号20260315-000123",
               context={"number": "20260315-000123", "code": "K7QX2M9P", "link": "http://x/t/1"},
               vendor_code="SMS_123456", vendor_params=("number", "code"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestGenericSms:
    def test_posts_to_text_and_id_and_accepts_any_2xx(self, receiver):
        gateway = receiver(lambda seen: (202, "queued"))
        answer = HttpSms(gateway.url + "/sms").send(SMS)
        assert answer == "queued"
        [seen] = gateway.requests
        assert seen.path == "/sms" and seen.headers["content-type"].startswith("application/json")
        assert seen.json() == {"to": "13800138000", "text": SMS.body, "id": "42"}

    def test_500_is_retried_and_400_is_not(self, receiver):
        with pytest.raises(Retryable, match="500"):
            HttpSms(receiver(lambda seen: (500, "boom")).url).send(SMS)
        with pytest.raises(Permanent, match="400") as refused:
            HttpSms(receiver(lambda seen: (400, "bad number")).url).send(SMS)
        assert refused.value.answer == "bad number"

    def test_unreachable_and_timeout_are_retried(self, receiver, notify_settings):
        with pytest.raises(Retryable, match="unreachable"):
            HttpSms(f"http://127.0.0.1:{free_port()}/").send(SMS)
        notify_settings(TIMEOUT_SECONDS=0.3)

        def slow(seen):
            time.sleep(1.0)
            return 200, "late"

        with pytest.raises(Retryable, match="timed out"):
            HttpSms(receiver(slow).url).send(SMS)


# ---------------------------------------------------------------- Aliyun


ALIYUN_SECRET = "testsecret"


def aliyun_gateway(code: str = "OK"):
    """Recomputes the RPC signature from the form body as Aliyun documents it, independently of the client."""

    def answer(seen):
        params = dict(parse_qsl(seen.body.decode(), keep_blank_values=True))
        given = params.pop("Signature", "")

        def enc(v: str) -> str:
            return quote(v, safe="").replace("%7E", "~")

        canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
        to_sign = "POST&%2F&" + enc(canonical)
        expected = base64.b64encode(hmac.new(b"testsecret&", to_sign.encode(), hashlib.sha1).digest()).decode()
        if given != expected:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
        assert params["SignatureMethod"] == "HMAC-SHA1" and params["SignatureVersion"] == "1.0"
        assert json.loads(params["TemplateParam"]) == {"number": "20260315-000123", "code": "K7QX2M9P"}
        if code != "OK":
            return 200, {"Code": code, "Message": "refused", "RequestId": "r1"}
        return 200, {"Code": "OK", "Message": "OK", "BizId": "900", "RequestId": "r1"}

    return answer


def aliyun_client(url: str, secret: str = ALIYUN_SECRET) -> aliyun.AliyunSms:
    return aliyun.AliyunSms(url=url, key_id="testid", secret=secret, sign_name="有呼必应")


class TestAliyun:
    def test_documented_signature_example(self):
        # The worked example of Aliyun's signature page (GET, secret "testsecret").
        params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
                  "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
                  "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
        assert aliyun.signature(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="

    def test_signed_request_is_accepted(self, receiver):
        gateway = receiver(aliyun_gateway())
        answer = aliyun_client(gateway.url + "/").send(SMS)
        assert json.loads(answer)["Code"] == "OK"
        params = dict(parse_qsl(gateway.requests[0].body.decode()))
        assert params["PhoneNumbers"] == "13800138000" and params["OutId"] == "42"
        assert params["SignName"] == "有呼必应" and params["TemplateCode"] == "SMS_123456"

    def test_wrong_secret_is_refused_for_good(self, receiver):
        with pytest.raises(Permanent, match="400"):
            aliyun_client(receiver(aliyun_gateway()).url, secret="other").send(SMS)

    def test_throttling_with_http_200_is_retried(self, receiver):
        with pytest.raises(Retryable, match="isv.BUSINESS_LIMIT_CONTROL"):
            aliyun_client(receiver(aliyun_gateway("isv.BUSINESS_LIMIT_CONTROL")).url).send(SMS)

    def test_illegal_number_with_http_200_is_permanent(self, receiver):
        with pytest.raises(Permanent, match="isv.MOBILE_NUMBER_ILLEGAL"):
            aliyun_client(receiver(aliyun_gateway("isv.MOBILE_NUMBER_ILLEGAL")).url).send(SMS)

    def test_a_template_without_vendor_code_is_permanent(self, receiver):
        gateway = receiver(aliyun_gateway())
        with pytest.raises(Permanent, match="TemplateCode"):
            aliyun_client(gateway.url).send(Outgoing(key="1", address="13800138000", subject="", body="x"))
        assert gateway.requests == []


# ---------------------------------------------------------------- Tencent


def tencent_gateway(error: str = "", status_code: str = "Ok"):
    """Recomputes TC3-HMAC-SHA256 from the received headers and body, as Tencent Cloud documents it."""

    def answer(seen):
        auth = seen.headers["authorization"]
        algorithm, rest = auth.split(" ", 1)
        fields = dict(part.strip().split("=", 1) for part in rest.split(","))
        secret_id, day, service, terminal = fields["Credential"].split("/")
        stamp = int(seen.headers["x-tc-timestamp"])
        assert algorithm == "TC3-HMAC-SHA256" and secret_id == "AKIDtest" and service == "sms"
        assert terminal == "tc3_request" and fields["SignedHeaders"] == "content-type;host;x-tc-action"
        assert time.strftime("%Y-%m-%d", time.gmtime(stamp)) == day
        canonical_headers = (f"content-type:{seen.headers['content-type']}\nhost:{seen.headers['host']}\n"
                             f"x-tc-action:{seen.headers['x-tc-action'].lower()}\n")
        canonical = "\n".join(["POST", "/", "", canonical_headers, fields["SignedHeaders"],
                               hashlib.sha256(seen.body).hexdigest()])
        to_sign = "\n".join([algorithm, str(stamp), f"{day}/sms/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])

        def h(key: bytes, msg: str) -> bytes:
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = h(h(h(b"TC3testkey", day), "sms"), "tc3_request")
        if hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() != fields["Signature"]:
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"},
                                      "RequestId": "r"}}
        body = seen.json()
        assert seen.headers["x-tc-action"] == "SendSms" and seen.headers["x-tc-version"] == "2021-01-11"
        assert body["PhoneNumberSet"] == ["+8613800138000"] and body["SessionContext"] == "42"
        assert body["TemplateParamSet"] == ["20260315-000123", "K7QX2M9P"]
        if error:
            return 200, {"Response": {"Error": {"Code": error, "Message": "refused"}, "RequestId": "r"}}
        return 200, {"Response": {"SendStatusSet": [{"SerialNo": "s1", "PhoneNumber": "+8613800138000",
                                                     "Code": status_code, "Message": "m"}], "RequestId": "r"}}

    return answer


def tencent_client(url: str, key: str = "testkey") -> tencent.TencentSms:
    return tencent.TencentSms(url=url, secret_id="AKIDtest", secret_key=key, app_id="1400000000",
                              sign_name="有呼必应")


class TestTencent:
    def test_signed_request_is_accepted(self, receiver):
        gateway = receiver(tencent_gateway())
        answer = tencent_client(gateway.url + "/").send(SMS)
        assert json.loads(answer)["Response"]["SendStatusSet"][0]["Code"] == "Ok"
        body = gateway.requests[0].json()
        assert body["SmsSdkAppId"] == "1400000000" and body["TemplateId"] == "SMS_123456"

    def test_wrong_key_is_refused_for_good(self, receiver):
        with pytest.raises(Permanent, match="AuthFailure.SignatureFailure"):
            tencent_client(receiver(tencent_gateway()).url, key="other").send(SMS)

    def test_request_limit_in_response_error_is_retried(self, receiver):
        with pytest.raises(Retryable, match="RequestLimitExceeded"):
            tencent_client(receiver(tencent_gateway(error="RequestLimitExceeded")).url).send(SMS)

    def test_bad_number_in_send_status_is_permanent(self, receiver):
        gateway = receiver(tencent_gateway(status_code="InvalidParameterValue.IncorrectPhoneNumber"))
        with pytest.raises(Permanent, match="IncorrectPhoneNumber"):
            tencent_client(gateway.url).send(SMS)


# ---------------------------------------------------------------- robots

ROBOT = Outgoing(key="7", address="", subject="新派单/协办：工单 20260315-000123",
                 body="#### 新派单/协办：工单 20260315-000123\n\n新工单\n\n[查看工单](http://x/tickets/20260315-000123/)",
                 secret="SECtest")


class TestDingTalk:
    @staticmethod
    def gateway(errcode: int = 0):
        def answer(seen):
            stamp = seen.query["timestamp"][0]
            # parse_qs already undid the URL encoding once: what is left is base64.
            expected = base64.b64encode(hmac.new(b"SECtest", f"{stamp}\nSECtest".encode(),
                                                 hashlib.sha256).digest()).decode()
            if seen.query.get("sign", [""])[0] != expected or abs(int(stamp) - time.time() * 1000) > 3600_000:
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            body = seen.json()
            assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
            assert "[查看工单](http://x/tickets/20260315-000123/)" in body["markdown"]["text"]
            assert seen.query["access_token"] == ["tok"]
            return 200, {"errcode": errcode, "errmsg": "ok" if not errcode else "too fast"}

        return answer

    def test_signed_markdown_with_link_is_accepted(self, receiver):
        gateway = receiver(self.gateway())
        DingTalkRobot().send(replace(ROBOT, address=gateway.url + "/robot/send?access_token=tok"))
        assert len(gateway.requests) == 1

    def test_sign_is_the_url_encoded_base64_hmac(self):
        sign = DingTalkRobot().url(Outgoing(key="1", address="http://h/?access_token=t", subject="", body="",
                                            secret="SECtest"), timestamp_ms=1700000000000).split("sign=")[1]
        raw = hmac.new(b"SECtest", b"1700000000000\nSECtest", hashlib.sha256).digest()
        assert unquote_plus(sign) == base64.b64encode(raw).decode() and "+" not in sign and "/" not in sign

    def test_wrong_secret_is_permanent_and_throttle_is_retried(self, receiver):
        out = replace(ROBOT, address=receiver(self.gateway()).url + "/robot/send?access_token=tok", secret="SECwrong")
        with pytest.raises(Permanent, match="310000"):
            DingTalkRobot().send(out)
        out.address = receiver(self.gateway(errcode=130101)).url + "/robot/send?access_token=tok"
        out.secret = "SECtest"
        with pytest.raises(Retryable, match="130101"):
            DingTalkRobot().send(out)


class TestWeCom:
    def test_markdown_payload_and_errcodes(self, receiver):
        def answer(seen):
            body = seen.json()
            assert seen.query == {"key": ["k-1"]}
            assert body == {"msgtype": "markdown", "markdown": {"content": ROBOT.body}}
            return 200, {"errcode": 0, "errmsg": "ok"}

        out = Outgoing(key="7", address=receiver(answer).url + "/cgi-bin/webhook/send?key=k-1", subject="",
                       body=ROBOT.body)
        WeComRobot().send(out)
        out.address = receiver(lambda seen: (200, {"errcode": 45009, "errmsg": "freq"})).url + "/?key=k"
        with pytest.raises(Retryable, match="45009"):
            WeComRobot().send(out)
        out.address = receiver(lambda seen: (200, {"errcode": 93000, "errmsg": "invalid url"})).url + "/?key=k"
        with pytest.raises(Permanent, match="93000"):
            WeComRobot().send(out)
