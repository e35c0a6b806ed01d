"""What a lifecycle action may read, parsed: the REST API's body and a staff page's form both become one."""

from __future__ import annotations

from dataclasses import dataclass, fields

from youhu.directory.models import Unit
from youhu.taxonomy.models import Category


@dataclass(frozen=True, slots=True)
class ActionInput:
    """Each action reads the fields it needs and ignores the others (their names are the REST API's)."""

    reason: str = ""
    text: str = ""
    note: str = ""
    unit: Unit | None = None
    co_units: list[Unit] | None = None  # None: leave the co-handling units as they are (转派)
    category: Category | None = None
    into: str = ""  # the master ticket's number (合并)
    working_days: int | None = None
    extension: int | None = None  # which pending extension to decide; the newest when None
    approve: bool | None = None
    resolved: bool | None = None
    satisfaction: str = ""
    comment: str = ""
    entry: int | None = None  # the knowledge base entry a 直接答复 takes its answer from


INPUT_FIELDS = frozenset(f.name for f in fields(ActionInput))
