"""Who is calling the JSON API: an API key (Bearer or X-Api-Key) or, for the staff pages, the session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from youhu.directory.models import User

from .keys import user_for_key


def _key_user(request: HttpRequest, raw: str | None) -> User | None:
    """The key's user, who is then also `request.user` (views and services read it there)."""
    user = user_for_key(raw)
    if user is not None:
        request.user = user
    return user


class BearerKey(HttpBearer):
    """`Authorization: Bearer yh_xxxxxxxx.secret`"""

    def authenticate(self, request, token):
        return _key_user(request, token)


class HeaderKey(APIKeyHeader):
    """`X-Api-Key: yh_xxxxxxxx.secret`"""

    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        return _key_user(request, key)


class StaffSession(SessionAuth):
    """The logged-in staff browser (CSRF checked by ninja for unsafe methods)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


# Any router of the JSON API can reuse this: `Router(auth=api_auth)`; `request.auth` is the User.
api_auth = [BearerKey(), HeaderKey(), StaffSession()]
