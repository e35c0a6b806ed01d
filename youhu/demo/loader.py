"""`youhu demo load`: the whole demo district, idempotent."""

from __future__ import annotations

import importlib
import importlib.util
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from youhu import clock

from .city import load as load_city
from .reference import load_reference
from .simulate import SEED, load_tickets

DEFAULT_TICKETS = 2000
# Other apps' demo data, loaded after ours when the module exists: "module:function", called as f(now).
SECOND_FACTORS = "youhu.accounts.demo:load"  # run again after the city: its supervisors need devices too
EXTRA_LOADERS = ["youhu.enterprise.demo:load", "youhu.supervision.demo:load", SECOND_FACTORS,
                 "youhu.projects.demo:load",
                 "youhu.indicators.demo:load", "youhu.knowledge.demo:load"]


@dataclass
class DemoSummary:
    reference: Counter
    tickets: Counter
    extras: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase


def _triage(ticket, *, now):
    from youhu.dispatch.services import triage

    return triage(ticket, now=now)


def run_extra_loaders(now: datetime, loaders: list[str] | None = None) -> list[str]:
    """Call each optional loader whose module is installed; return the ones that ran."""
    ran = []
    for spec in EXTRA_LOADERS if loaders is None else loaders:
        module_name, _, func_name = spec.partition(":")
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:  # a parent package is missing
            found = False
        if not found:
            continue
        getattr(importlib.import_module(module_name), func_name)(now)
        ran.append(spec)
    return ran


def load_demo(tickets: int = DEFAULT_TICKETS, *, now: datetime | None = None, seed: int = SEED,
              extras: list[str] | None = None) -> DemoSummary:
    now = now or clock.now()
    phases: dict[str, float] = {}
    started = mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        phases[name] = time.perf_counter() - mark
        mark = time.perf_counter()

    reference = load_reference()
    lap("reference")
    ticket_counts = load_tickets(tickets, now, triage=_triage, seed=seed)
    lap("tickets")
    ran = run_extra_loaders(now, extras)
    lap("extras")
    load_city(now)  # last: what the loaders above made becomes 海珠区's, under the city (docs/levels.md)
    if SECOND_FACTORS in ran:
        run_extra_loaders(now, [SECOND_FACTORS])
    lap("city")
    return DemoSummary(reference, ticket_counts, ran, time.perf_counter() - started, phases)
