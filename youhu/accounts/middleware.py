"""Who is acting in this request, for records written far from the view (the role-change log)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("youhu_current_request", default=None)


def current_actor():
    """The signed-in user of the request being handled; None in commands and background work. Looked up
    only when asked for: most requests never need it."""
    request = _current_request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


SEEN = "youhu_seen"
RENEW_EVERY_SECONDS = 60


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request: a request renews the expiry (and the cookie),
    at most once a minute. Renewing on every request (SESSION_SAVE_EVERY_REQUEST) would write the session
    for each of the dashboard's parallel figure requests, to no purpose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = time.time()
            if now - session.get(SEEN, 0) >= RENEW_EVERY_SECONDS:
                session[SEEN] = now  # modified: saved with a fresh expiry after the response
        return self.get_response(request)
