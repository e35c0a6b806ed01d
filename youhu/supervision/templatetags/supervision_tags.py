from django import template

from youhu.supervision.metrics import format_rate

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.756 -> '75.6%'; None (no denominator) -> '—'."""
    return format_rate(value)


@register.filter
def acts_as_supervisor(user) -> bool:
    """Only supervisors (and admins) act on tickets; unit heads read the figures."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role("supervisor", "admin")
