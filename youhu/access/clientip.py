"""The client's address as the public pages' rate limits see it (django-ratelimit's RATELIMIT_IP_META_KEY).

Behind a reverse proxy every request comes from the proxy's address: keyed on REMOTE_ADDR, one resident's
limit would be the whole city's.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind YOUHU_TRUSTED_PROXIES reverse proxies, the address the outermost of them received
    the request from. Each proxy appends the address it saw to X-Forwarded-For, so that one is the Nth entry
    from the right; the entries left of it come from the client and could be anything, so they are not read."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "YOUHU_TRUSTED_PROXIES", 0))
    if proxies <= 0:
        if not remote:  # a proxy talking to the app server over a Unix socket
            raise ImproperlyConfigured("REMOTE_ADDR is empty: behind a reverse proxy set YOUHU_TRUSTED_PROXIES")
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote  # not through the proxies (a direct request to the app server)
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote
