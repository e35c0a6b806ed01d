from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from .links import resolve


def short(request: HttpRequest, code: str) -> HttpResponse:
    target = resolve(code)
    if target is None:
        raise Http404("链接无效或已过期")
    return redirect(target)
