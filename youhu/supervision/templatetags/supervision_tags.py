from django import template

from youhu.supervision.metrics import format_rate

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.756 -> '75.6%'; None (no denominator) -> '—'."""
    return format_rate(value)
