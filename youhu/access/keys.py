"""API keys: `<prefix>.<secret>`; the database keeps only the SHA-256 of the whole key."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from youhu import clock
from youhu.directory.models import User

from .models import ApiKey

KEY_PREFIX = "yh_"


@dataclass
class NewKey:
    api_key: ApiKey
    secret: str  # shown once, never stored


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.strip().encode()).hexdigest()


def new_key_material() -> tuple[str, str, str]:
    """(full key, prefix, hash)."""
    prefix = KEY_PREFIX + secrets.token_hex(4)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    return raw, prefix, hash_key(raw)


def create_api_key(user: User, *, name: str = "") -> NewKey:
    raw, prefix, digest = new_key_material()
    key = ApiKey.objects.create(user=user, name=name[:64], prefix=prefix, key_hash=digest, created_at=clock.now())
    return NewKey(api_key=key, secret=raw)


def revoke_api_key(key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
    _recent.clear()
    return key


# Scripts send many requests in a row: remember a key's user (with its roles) for a few seconds, which saves
# two queries per request. A revocation in another worker process takes effect within CACHE_SECONDS.
CACHE_SECONDS = 5.0
CACHE_SIZE = 1000
_recent: dict[str, tuple[float, User]] = {}


def user_for_key(raw: str | None) -> User | None:
    """The active user owning this key, or None (unknown, revoked or inactive user)."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_key(raw)
    hit = _recent.get(digest)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    key = ApiKey.objects.select_related("user").filter(key_hash=digest, revoked_at__isnull=True).first()
    if key is None or not key.user.is_active:
        _recent.pop(digest, None)
        return None
    key.user.roles  # noqa: B018 - load the roles once, with the user
    if len(_recent) >= CACHE_SIZE:
        _recent.clear()
    _recent[digest] = (time.monotonic(), key.user)
    return key.user
