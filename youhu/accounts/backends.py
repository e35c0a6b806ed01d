"""django-axes' lockout check, for logins that come with a request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest

from youhu.access.clientip import client_ip


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account or address (AxesBackendPermissionDenied); never authenticates by itself.

    Every login from the network (the login page, the admin) passes its request. `authenticate()` without one
    is the program itself (a shell, Django's test client): there is no address to count against, so the check
    is skipped instead of failing the call as axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_address(request: HttpRequest) -> str | None:
    """The address axes counts failures against: the rate limits' client_ip. None for the bare HttpRequest()
    Django builds when code signs a user in or out (force_login, logout in a shell or test): it has no
    address, and a misconfigured proxy is only an error for a request from the network."""
    if "REQUEST_METHOD" not in request.META:  # every request from a server has one (WSGI, ASGI, test client)
        return None
    return client_ip(request)
