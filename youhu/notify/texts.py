"""Rendering of a template against a notice's values: only the event's own placeholders are allowed."""

from __future__ import annotations

import threading
import time
from string import Formatter

from .models import Template
from .rules import DEFAULT_TEXTS, placeholders

SMS_SEGMENT = 70  # characters of one SMS segment with Chinese text (UCS-2)


class UnknownPlaceholder(ValueError):
    """A template names a value the event does not have."""


def fields_of(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise UnknownPlaceholder(f"模板格式错误（template syntax）：{exc}") from exc


def check(event: str, *texts: str) -> None:
    """Raise UnknownPlaceholder naming what the event cannot fill."""
    allowed = placeholders(event)
    unknown = sorted(set().union(*(fields_of(t) for t in texts)) - allowed)
    if unknown:
        raise UnknownPlaceholder(
            f"未知占位符（unknown placeholder）：{'、'.join('{' + u + '}' for u in unknown)}；"
            f"可用：{'、'.join('{' + a + '}' for a in sorted(allowed))}")


def render(event: str, text: str, context: dict[str, str]) -> str:
    check(event, text)
    return text.format_map({k: context.get(k, "") for k in placeholders(event)})


# Templates are read for every message written; edits in the admin reach other processes within TTL.
_TTL = 30.0
_cache: dict[tuple[str, str], tuple[str, str, str, str] | None] = {}
_loaded_at = 0.0
_lock = threading.Lock()


def forget() -> None:
    global _loaded_at
    with _lock:
        _loaded_at = 0.0


def text_for(event: str, kind: str) -> tuple[str, str, str, str] | None:
    """(subject, body, vendor_code, vendor_params) of the event on this kind of channel, None if switched off."""
    global _loaded_at
    with _lock:
        if time.monotonic() - _loaded_at > _TTL:
            _cache.clear()
            for t in Template.objects.all():
                _cache[(t.event, t.kind)] = (t.subject, t.body, t.vendor_code, t.vendor_params) if t.active else None
            _loaded_at = time.monotonic()
        if (event, kind) in _cache:
            return _cache[(event, kind)]
    default = DEFAULT_TEXTS.get((event, kind))
    return (*default, "", "") if default else None
