"""Smart dispatch: triage a new ticket (classify, locate, route, look for duplicates, dispatch when
sure), and learn from what dispatchers decide.

`triage` is called by intake right after a ticket is created. It never raises because of the model:
without a usable classifier, or when unsure, the ticket is registered and waits in the queue.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings

from youhu import clock, db
from youhu.directory.models import Area, Unit, User
from youhu.taxonomy.models import Category, remembered_deadline_rules
from youhu.tickets import policy
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput, TicketError
from youhu.tickets.models import Status, Ticket, TicketEvent

from . import routing
from .duplicates import DuplicateCandidate, find_duplicates_many, ticket_text
from .location import Location, all_areas, locate
from .models import LabelledExample, Suggestion

log = logging.getLogger(__name__)
CJK = re.compile(r"[\u4e00-\u9fff]")


class ClassifierLike(Protocol):
    """What triage needs of the classifier (youhu.dispatch.classifier)."""

    def predict(self, texts: list[str]) -> list[Any]: ...

    def explain(self, text: str, label: str, k: int = 5) -> list[str]: ...


# ---------------------------------------------------------------- the classifier, loaded lazily

_override: list[ClassifierLike | None] = []


@contextmanager
def use_classifier(clf: ClassifierLike | None) -> Iterator[None]:
    """Make triage use `clf` (None = no model) instead of the default model, e.g. in tests."""
    _override.append(clf)
    try:
        yield
    finally:
        _override.pop()


def current_classifier() -> ClassifierLike | None:
    """The default model (the classifier package caches it until its file changes), or None."""
    if _override:
        return _override[-1]
    try:
        from youhu.dispatch.classifier import load_default

        return load_default()
    except Exception:  # a missing, corrupt or foreign model must not stop intake
        log.exception("dispatch: could not load the classifier")
        return None


def _model_version(clf: ClassifierLike) -> str:
    """What identifies the model: its own version, else when it was trained (from the file header)."""
    version = getattr(clf, "version", "")
    if not version:
        header = getattr(clf, "header", None) or {}
        trained = (header.get("training") or {}).get("trained_at", "")
        version = f"{header.get('youhu_version', '')} {trained[:16]}".strip()
    return str(version)[:64]


# ---------------------------------------------------------------- triage


def auto_dispatch_threshold() -> float:
    return float(settings.YOUHU["AUTO_DISPATCH_CONFIDENCE"])


NO_MODEL = "未加载分类模型，需人工分类"
UNREADABLE = "诉求文本没有可识别的中文内容"
MODEL_FAILED = "分类模型出错，需人工分类"
Classified = tuple[Any | None, list[str], str]  # (prediction, explaining terms, problem: empty when usable)


def _classify_many(clf: ClassifierLike | None, texts: list[str]) -> list[Classified]:
    """Each text's prediction and the terms behind it, the texts classified together in one call."""
    if clf is None:
        return [(None, [], NO_MODEL)] * len(texts)
    results: list[Classified] = [(None, [], UNREADABLE)] * len(texts)
    chinese = [i for i, text in enumerate(texts) if len(CJK.findall(text)) >= 2]
    try:
        explained = _predict_explained(clf, [texts[i] for i in chinese])
    except Exception:
        log.exception("dispatch: classifier failed")
        for i in chinese:
            results[i] = (None, [], MODEL_FAILED)
        return results
    for i, (prediction, terms) in zip(chinese, explained, strict=True):
        if getattr(prediction, "readable", True) is not False:
            results[i] = (prediction, terms, "")
    return results


def _predict_explained(clf: ClassifierLike, texts: list[str]) -> list[tuple[Any, list[str]]]:
    if not texts:
        return []
    fused = getattr(clf, "predict_explained", None)  # the real model's: vectorises each text once for both
    if fused is not None:
        return [(p, [str(t) for t in terms]) for p, terms in fused(texts, k=5)]
    return [(p, _terms(clf, text, p)) for text, p in zip(texts, clf.predict(texts), strict=True)]


def _terms(clf: ClassifierLike, text: str, prediction: Any) -> list[str]:
    if getattr(prediction, "readable", True) is False:
        return []
    try:
        return [str(t) for t in clf.explain(text, prediction.label, k=5)]
    except Exception:  # the explanation is a help for people, not a reason to stop
        log.exception("dispatch: explain failed")
        return []


def _options(prediction: Any | None, location: Location, router: routing.Router,
             refused: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """The top suggestions with the category and unit each would mean, best first; none to a unit in
    `refused` (those that returned the ticket)."""
    if prediction is None:
        return []
    rows = []
    for label, confidence in list(prediction.top)[:3]:
        category = router.category_for_label(label)
        route = router.route_avoiding(category, location.street, refused)
        if route is None:
            continue
        rows.append({"label": label, "confidence": round(float(confidence), 4),
                     "category_id": category.pk if category else None,
                     "unit_id": route.unit.pk if route.unit else None,
                     "unit_name": route.unit.name if route.unit else "", "route_reason": route.reason})
    return rows


def _hold_reason(prediction: Any | None, problem: str, predicted: Category | None, category: Category | None,
                 route: routing.Route, duplicates: list[DuplicateCandidate], labels: list[str] | None) -> str:
    """Why a person must decide; empty when the ticket can go by itself."""
    if problem:
        return problem
    threshold = auto_dispatch_threshold()
    if predicted is None:
        return f"模型分类“{prediction.label}”不在分类目录中"
    if category is not None and category.root.pk != predicted.pk:
        if labels is not None and category.root.name not in labels:
            return f"已选分类“{category.root.name}”不在模型的分类范围内，请人工确认"
        return f"已选分类“{category.root.name}”与模型判断“{predicted.name}”不一致"
    if float(prediction.confidence) < threshold:
        return f"置信度 {float(prediction.confidence):.1%} 低于自动派单阈值 {threshold:.0%}"
    if route.unit is None:
        return route.reason
    if duplicates:
        return f"疑似重复：与工单 {duplicates[0].ticket.number} 内容相近，请先确认是否合并"
    return ""


def _locate(ticket: Ticket, areas: list[Area]) -> Location:
    try:
        return locate(ticket, areas)
    except Exception:  # an odd address must not stop intake
        log.exception("dispatch: locating ticket %s failed", ticket.pk)
        return Location(ticket.street, ticket.community, ticket.street_id is None, "定位出错，需人工确认")


def _duplicates(tickets: list[Ticket], now: datetime) -> list[list[DuplicateCandidate]]:
    try:
        return find_duplicates_many(tickets, now=now)
    except Exception:
        log.exception("dispatch: duplicate search failed for %s", [t.pk for t in tickets])
        return [[] for _ in tickets]


@dataclass
class _Plan:
    """What triage decided from reading alone; `_apply` writes it."""

    location: Location
    relocated: bool
    clf: ClassifierLike | None
    prediction: Any | None
    terms: list[str]
    category: Category | None
    route: routing.Route
    duplicates: list[DuplicateCandidate]
    hold: str
    top: list[dict[str, Any]]


def _plan_many(tickets: list[Ticket], now: datetime) -> list[_Plan]:
    """Decide the triage of each ticket, reading the reference data (areas, categories, rules) once for all."""
    areas = all_areas()
    locations = [_locate(ticket, areas) for ticket in tickets]
    clf = current_classifier()
    classified = _classify_many(clf, [ticket_text(ticket) for ticket in tickets])
    router = routing.Router()  # reads the categories and rules of all options at once
    router.prefetch_labels(label for prediction, _, _ in classified if prediction is not None
                           for label in [prediction.label, *(label for label, _ in list(prediction.top)[:3])])
    decided = []
    for ticket, location, (prediction, _terms, _problem) in zip(tickets, locations, classified, strict=True):
        relocated = (location.street != ticket.street or location.community != ticket.community
                     or location.unresolved != ticket.location_unresolved)
        predicted = router.category_for_label(prediction.label) if prediction is not None else None
        preset = ticket.category  # chosen at intake (e.g. an Open311 service); the model must agree
        category = preset or predicted
        decided.append((relocated, predicted, preset, category, router.route(category, location.street)))
        # The duplicate search looks at the street and category the ticket is about to have.
        ticket.street, ticket.community, ticket.category = location.street, location.community, category
    duplicates = _duplicates(tickets, now)
    labels = getattr(clf, "labels", None)
    returns = returns_of(tickets)
    plans = []
    for ticket, location, (prediction, terms, problem), (relocated, predicted, preset, category, route), dups in zip(
            tickets, locations, classified, decided, duplicates, strict=True):
        hold = _hold_reason(prediction, problem, predicted, preset, route, dups, labels)
        refused = refused_units(returns.get(ticket.pk, []))
        if refused and not hold:  # a unit said it is not theirs: a person re-dispatches, never the model alone
            hold = returned_hold_reason(returns[ticket.pk])
        plans.append(_Plan(location, relocated, clf, prediction, terms, category, route, dups, hold,
                           _options(prediction, location, router, refused)))
    return plans


def _apply(ticket: Ticket, plan: _Plan, now: datetime) -> None:
    """The writes of a triage, in one transaction. A concurrent change of the ticket (a dispatcher was
    quicker) raises Conflict from the lifecycle services and the whole of it is rolled back."""
    location, prediction, hold = plan.location, plan.prediction, plan.hold
    if plan.relocated:
        tickets.update_location(ticket, street=location.street, community=location.community,
                                unresolved=location.unresolved, by=None, now=now)
    if ticket.status == Status.NEW:
        tickets.register(ticket, by=None, category=plan.category, now=now)
    outcome = Suggestion.Outcome.QUEUED
    unit = plan.route.unit
    if not hold and unit is not None and unit.district_id != ticket.district_id:
        # A city's ticket routed to a district's unit: the city centre sends it there (派至区), not the model.
        hold = f"建议派至{unit.district.name}，由区级派单" if unit.district_id else "建议由市级单位办理，请人工派单"
    if not hold:  # dispatch first, so the suggestion is written once, with how it ended
        try:
            tickets.dispatch(ticket, by=None, unit=plan.route.unit, category=plan.category,
                             confidence=float(prediction.confidence), now=now)
        except TicketError as exc:
            hold = f"自动派单未成功：{exc.message}"
        else:
            outcome = Suggestion.Outcome.AUTO_DISPATCHED
    db.insert(Suggestion(
        ticket=ticket, created_at=now, model_version=_model_version(plan.clf) if plan.clf else "",
        label=prediction.label if prediction is not None else "",
        confidence=float(prediction.confidence) if prediction is not None else None,
        top=plan.top, terms=plan.terms, unit=plan.route.unit, route_reason=plan.route.reason,
        location_note=location.note,
        duplicates=[{"ticket_id": d.ticket.pk, "number": d.ticket.number, "title": d.ticket.title,
                     "score": round(d.score, 3)} for d in plan.duplicates[:5]],
        outcome=outcome, hold_reason=hold,
    ))


# Tickets written per transaction: on SQLite the appeals arriving meanwhile wait for the write lock, and a whole
# batch's writes (tens of ms) would stall them as long.
WRITE_CHUNK = 8


def triage(ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """Classify, locate and route a new ticket; dispatch it when confident, else leave it queued.
    Raises what went wrong; the ticket is then as it was."""
    failed = triage_many([ticket], now=now)
    if failed:
        raise failed[ticket.pk]
    return ticket


def triage_many(tickets: list[Ticket], *, now: datetime | None = None) -> dict[int, Exception]:
    """Triage a batch (in this order): what went wrong, by ticket pk; each of those is left as it was.

    Everything is read and decided first, outside any transaction; only the writes hold the database's write
    lock. On SQLite a transaction holds it from its start, and triage (classification, duplicate search) takes
    milliseconds per ticket: held all that time, it would stall every appeal arriving meanwhile. The writes go
    in transactions of WRITE_CHUNK tickets, each ticket's in a savepoint of its own: a dispatcher who was
    quicker with one ticket undoes none of the rest.
    """
    now = now or clock.now()
    todo = [t for t in tickets if t.status in (Status.NEW, Status.REGISTERED)]
    try:
        plans = _plan_many(todo, now)
    except Exception:
        for ticket in todo:
            ticket.refresh_from_db()
        raise
    failed: dict[int, Exception] = {}
    with remembered_deadline_rules():
        for start in range(0, len(todo), WRITE_CHUNK):
            with db.writing():
                for ticket, plan in zip(todo[start:start + WRITE_CHUNK], plans[start:start + WRITE_CHUNK],
                                        strict=True):
                    try:
                        with db.writing():
                            _apply(ticket, plan, now)
                    except Exception as exc:
                        failed[ticket.pk] = exc
                        ticket.refresh_from_db()
    return failed


def latest_suggestion(ticket: Ticket) -> Suggestion | None:
    return ticket.dispatch_suggestions.order_by("-created_at", "-id").first()


def latest_suggestions(tickets: Iterable[Ticket]) -> dict[int, Suggestion]:
    """Each ticket's newest suggestion, read in one query (tickets never triaged are left out)."""
    found: dict[int, Suggestion] = {}
    for suggestion in Suggestion.objects.filter(ticket__in=[t.pk for t in tickets]).order_by(
            "ticket_id", "-created_at", "-id"):
        found.setdefault(suggestion.ticket_id, suggestion)
    return found


# ---------------------------------------------------------------- what dispatchers decide


def record_dispatch_decision(ticket: Ticket, category: Category | None, by: User | None, *,
                             source: str | None = None, now: datetime | None = None) -> LabelledExample | None:
    """Store a person's category decision as a labelled example for the next training run.

    The source says whether it confirmed the model, corrected it, or corrected an earlier dispatch
    the unit returned (退单 → 改派). Call it whenever a dispatcher dispatches or re-dispatches.
    """
    if category is None:
        return None
    now = now or clock.now()
    suggestion = latest_suggestion(ticket)
    suggested = suggestion.label if suggestion else ""
    label = category.root.name
    if source is None:
        if ticket.return_count > 0:
            source = LabelledExample.Source.RETURN_CORRECTION
        elif suggested == label:
            source = LabelledExample.Source.CONFIRMED
        else:
            source = LabelledExample.Source.CORRECTED
    return LabelledExample.objects.create(text=ticket_text(ticket), label=label, suggested_label=suggested,
                                          source=source, ticket=ticket, created_by=by, created_at=now)


def dispatch_ticket(ticket: Ticket, *, by: User, unit: Unit | None, category: Category | None = None,
                    co_units: Iterable[Unit] = (), now: datetime | None = None) -> Ticket:
    """A dispatcher's 派单 (queue or ticket page): dispatch and remember the category chosen as a
    labelled example (none is stored when the ticket has no category at all)."""
    now = now or clock.now()
    category = category or ticket.category
    with db.writing():
        tickets.dispatch(ticket, by=by, unit=unit, co_units=co_units, category=category, now=now)
        record_dispatch_decision(ticket, category, by, now=now)
    return ticket


def merge_duplicate(ticket: Ticket, *, by: User, into: Ticket, now: datetime | None = None) -> Ticket:
    """合并: close `ticket` as a duplicate of `into`, whose reply will answer both appellants."""
    return tickets.merge(ticket, by=by, into=into, reason=f"与工单 {into.number} 内容重复", now=now)


def labelled_examples(before: datetime | None = None) -> list[tuple[str, str]]:
    """(text, label) pairs people decided, the newest decision per ticket only, for training; `before`:
    as they stood then (what an earlier model was trained on, `youhu model train`'s comparison)."""
    seen: set[int] = set()
    rows: list[tuple[str, str]] = []
    examples = LabelledExample.objects.order_by("-created_at", "-id")
    if before is not None:
        examples = examples.filter(created_at__lte=before)
    for ticket_id, text, label in examples.values_list("ticket_id", "text", "label"):
        if ticket_id is not None:
            if ticket_id in seen:
                continue
            seen.add(ticket_id)
        rows.append((text, label))
    return rows


# ---------------------------------------------------------------- returned tickets (退单)


@dataclass(frozen=True)
class ReturnRecord:
    """One 退单: the unit that said the ticket is not theirs, and why."""

    unit_id: int | None
    unit: str
    reason: str
    at: datetime


def returns_of(tickets: Iterable[Ticket]) -> dict[int, list[ReturnRecord]]:
    """Each returned ticket's returns, oldest first (read in one query; tickets never returned are skipped)."""
    ids = [t.pk for t in tickets if t.return_count]
    found: dict[int, list[ReturnRecord]] = {}
    if not ids:
        return found
    for event in TicketEvent.objects.filter(ticket_id__in=ids, action="return").order_by("at", "id"):
        unit = event.payload.get("unit") or ""
        found.setdefault(event.ticket_id, []).append(ReturnRecord(event.unit_id, unit, event.reason, event.at))
    return found


def returned_hold_reason(returns: list[ReturnRecord]) -> str:
    last = returns[-1]
    return f"{last.unit or '承办单位'}退单：{last.reason}"[:200]


def refused_units(returns: Iterable[ReturnRecord]) -> frozenset[int]:
    """The units that returned a ticket (its 退单): no suggestion or batch default sends it back to them."""
    return frozenset(r.unit_id for r in returns if r.unit_id)


def suggest_after_return(tickets: list[Ticket], returns: dict[int, list[ReturnRecord]], *,
                         latest: dict[int, Suggestion | None] | None = None,
                         router: routing.Router | None = None) -> dict[int, list[dict]]:
    """Suggestions for returned tickets that leave out every unit that returned them, as rows like
    `Suggestion.top`, best first. The text is classified again (the model may have learnt since, and a
    ticket dispatched by hand never had a suggestion), once per ticket version and model
    (`_predictions_after_return`); without a prediction the stored suggestion's categories (`latest`, else
    read in one query) are routed again. Read only: nothing is written."""
    todo = [t for t in tickets if returns.get(t.pk)]
    if not todo:
        return {}
    predictions = _predictions_after_return(current_classifier(), todo)
    unpredicted = [t for t in todo if predictions.get(t.pk) is None]
    if unpredicted and latest is None:
        latest = latest_suggestions(unpredicted)
    for ticket in unpredicted:
        stored = (latest or {}).get(ticket.pk)
        predictions[ticket.pk] = _StoredPrediction([(row["label"], row["confidence"])
                                                    for row in (stored.top if stored else [])])
    router = router or routing.Router()
    router.prefetch_labels(label for prediction in predictions.values() for label, _ in prediction.top)
    rows: dict[int, list[dict]] = {}
    for ticket in todo:
        location = Location(ticket.street, ticket.community, ticket.location_unresolved, "")
        rows[ticket.pk] = _options(predictions[ticket.pk], location, router, refused_units(returns[ticket.pk]))
    return rows


@dataclass(frozen=True)
class _StoredPrediction:
    """A prediction's (label, confidence) rows, kept or stored, routed again as a fresh prediction's would be."""

    top: list[tuple[str, float]]


# The desk shows its returned tickets on every load and the same ticket is classified alike until it or the model
# changes: each process remembers the last AFTER_RETURN_MEMO predictions, keyed by the model, the ticket's pk and
# version, and checked against the text classified.
AFTER_RETURN_MEMO = 2048
_after_return: OrderedDict[tuple, tuple[str, _StoredPrediction | None]] = OrderedDict()
_after_return_lock = threading.Lock()


def _predictions_after_return(clf: ClassifierLike | None, tickets: list[Ticket]) -> dict[int, _StoredPrediction | None]:
    """Each ticket's fresh top three (None: no usable prediction), classified together for those not remembered."""
    if clf is None:
        return {}
    model = (id(clf), _model_version(clf))  # id: the loaded model object, replaced when its file changes
    texts = {t.pk: ticket_text(t) for t in tickets}
    found: dict[int, _StoredPrediction | None] = {}
    with _after_return_lock:
        for ticket in tickets:
            key = (model, ticket.pk, ticket.version)
            hit = _after_return.get(key)
            if hit is not None and hit[0] == texts[ticket.pk]:
                found[ticket.pk] = hit[1]
                _after_return.move_to_end(key)
    todo = [t for t in tickets if t.pk not in found]
    classified = _classify_many(clf, [texts[t.pk] for t in todo])
    with _after_return_lock:
        for ticket, (prediction, _terms, _problem) in zip(todo, classified, strict=True):
            top = None if prediction is None else _StoredPrediction(
                [(label, float(confidence)) for label, confidence in list(prediction.top)[:3]])
            found[ticket.pk] = top
            _after_return[(model, ticket.pk, ticket.version)] = (texts[ticket.pk], top)
        while len(_after_return) > AFTER_RETURN_MEMO:
            _after_return.popitem(last=False)
    return found


# ---------------------------------------------------------------- batch dispatch (批量派单)


@dataclass
class BatchResult:
    dispatched: list[Ticket]
    failed: list[tuple[Ticket, str]]  # (ticket, why), e.g. another dispatcher was quicker


def dispatch_batch(batch: list[Ticket], *, by: User, unit: Unit | None, category: Category | None = None,
                   now: datetime | None = None) -> BatchResult:
    """派单 of the selected tickets to one unit, each as `dispatch_ticket` does (the action table's 派单).

    Who may and the input are checked for all of them before anything is written: a unit's handler
    dispatches none. Each ticket then goes in its own transaction: one that someone else dispatched
    meanwhile fails alone, and is reported. Without a category given, each takes its suggested category that
    routes to this unit, else keeps its own (`_category_towards`)."""
    now = now or clock.now()
    if not batch:
        raise InvalidInput("请选择要派单的工单", field="numbers")
    for ticket in batch:
        policy.require("dispatch", by, ticket)
    if unit is None or not unit.active:
        raise InvalidInput("请选择承办单位", field="unit")
    result = BatchResult([], [])
    for ticket in batch:
        try:
            dispatch_ticket(ticket, by=by, unit=unit, category=category or _category_towards(ticket, unit), now=now)
        except TicketError as exc:
            ticket.refresh_from_db()
            result.failed.append((ticket, exc.message))
        else:
            result.dispatched.append(ticket)
    return result


def _category_towards(ticket: Ticket, unit: Unit) -> Category | None:
    """The best-ranked suggested category that routes to `unit` (the dispatcher's choice of unit says which of
    the model's categories it meant), else the ticket's own."""
    suggestion = latest_suggestion(ticket)
    wanted = next((row.get("category_id") for row in (suggestion.top if suggestion else [])
                   if row.get("unit_id") == unit.pk and row.get("category_id")), None)
    found = Category.objects.filter(pk=wanted, active=True).first() if wanted else None
    return found or ticket.category
