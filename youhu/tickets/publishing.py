"""What of the tickets may leave the house (Open311 reads, the /open/ pages, a tracking page's view of another
ticket): which appeals, and their text masked (docs/security.md, "What is published").

Published: appeals of a published category (taxonomy.published_categories: the category and its ancestors
`published`, not an enterprise category), not a company's case and not a 举报 (whistle-blowing: the reporter is
protected). Unclassified appeals wait until triage or a dispatcher gives them a category.
"""

from __future__ import annotations

from django.db.models import QuerySet

from youhu.taxonomy.models import AppealType, published_categories

from .masking import mask_personal
from .models import Channel, Ticket


def published_tickets() -> QuerySet[Ticket]:
    return (Ticket.objects.filter(category__in=published_categories())
            .exclude(channel=Channel.ENTERPRISE).exclude(appeal_type=AppealType.REPORT))


def published_text(text: str, *tickets: Ticket) -> str:
    """`text` as it may be published: masked by pattern and without the appellants of `tickets` (their name,
    phone, also without separators, and address)."""
    phones = [t.appellant_phone.strip() for t in tickets]
    return mask_personal(text, names=[t.appellant_name for t in tickets], places=[t.address for t in tickets],
                         phones=phones + [p.replace("-", "").replace(" ", "") for p in phones])
