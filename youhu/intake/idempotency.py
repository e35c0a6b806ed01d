"""Idempotency-Key on POST: the first answer is stored with the request's hash and replayed for repeats.

The handler's writes and the record are committed together, so a repeat (even a concurrent one) either
sees the record or loses the unique-constraint race and then replays the winner's answer: never two tickets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse

from youhu import clock, db
from youhu.directory.models import User

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_MAX = 128
# How long a key is remembered: a client retries within minutes; a week covers a weekend outage of its side.
KEEP = timedelta(days=7)


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": HEADER}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _replay(record: IdempotencyRecord, digest: str) -> JsonResponse:
    if record.request_hash != digest:
        return _error(422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个不同的请求")
    response = JsonResponse(record.response, status=record.status_code, safe=False,
                            json_dumps_params={"ensure_ascii": False})
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: HttpRequest, user: User, handler: Callable[[], tuple[int, Any]]) -> Any:
    """Run `handler` (returning (status, json-able body)) at most once per user and Idempotency-Key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        status, body = handler()
        return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    if len(key) > KEY_MAX or "\x00" in key:
        return _error(400, "invalid_input", f"Idempotency-Key 不能超过 {KEY_MAX} 个字符")
    digest = request_hash(request)
    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is not None:
        return _replay(existing, digest)
    try:
        # One write section around the handler's writes and the record (db.writing: the lock before the
        # transaction; the handler's own section nests in this one).
        with db.writing():
            status, body = handler()
            if 200 <= status < 300:
                IdempotencyRecord.objects.create(user=user, key=key, request_hash=digest, status_code=status,
                                                 response=json.loads(json.dumps(body, default=str)),
                                                 created_at=clock.now())
    except IntegrityError:
        # A concurrent twin committed first; our writes were rolled back with the failed insert.
        winner = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if winner is None:
            raise
        return _replay(winner, digest)
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def purge_expired(now: datetime | None = None) -> int:
    """Forget the answers older than KEEP (a repeat of such a request is then a new request); returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=(now or clock.now()) - KEEP).delete()
    return deleted
