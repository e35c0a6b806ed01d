"""What the staff pages' views ask of a request alike: does the caller want JSON, and where may it be sent
back to. One room below every app with views, so that each uses the same answer."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def wants_json(request: HttpRequest) -> bool:
    """A page's script posts in the background and asks for JSON; a plain form post comes back to the page."""
    return "application/json" in request.headers.get("Accept", "")


def safe_next(request: HttpRequest, target: str | None, default: str) -> str:
    """`target` (a `next` a form or the session carried) when it stays on this site, else `default`: a
    link from outside must not make the login or a form redirect elsewhere (an open redirect)."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default
