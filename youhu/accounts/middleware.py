"""Who is acting in this request, for records written far from the view (the role-change log)."""

from __future__ import annotations

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
