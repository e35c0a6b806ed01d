"""Demo extension: the simulated replies get the same quality check as replies made in the app."""

from __future__ import annotations

from datetime import datetime

from .reply_quality import check_unchecked_replies


def load(now: datetime) -> None:
    check_unchecked_replies()
