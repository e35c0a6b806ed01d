"""The ticket services, by topic: `numbering`, `intake` (validation, `create_tickets`), `lifecycle` (every
change of state), `escalation` (its writes), and `events` (what they share). Callers keep importing
`from youhu.tickets import services as tickets` and use the names below."""

from .escalation import (
    ESCALATION_KINDS,
    EscalationNote,
    record_escalation,
    record_escalations,
    schedule_escalation_looks,
    wake_for_escalation,
)
from .events import (
    APPELLANT_LABEL,
    CONTENT_MAX,
    PHONE_RE,
    REASON_MAX,
    REPLY_MAX,
    SYSTEM_LABEL,
    TITLE_MAX,
    clean_text,
    notify,
)
from .intake import Created, NewAppeal, create_ticket, create_tickets, validate_appeal
from .lifecycle import (
    accept,
    answer_directly,
    city_centre,
    close,
    decide_extension,
    dispatch,
    handle,
    merge,
    missing_co_parts,
    register,
    reject,
    release_reply,
    reopen,
    reply,
    request_extension,
    return_ticket,
    return_to_city,
    review,
    review_window_days,
    submit_co_part,
    to_district,
    transfer,
    update_location,
    waive_co_parts,
    withhold_reply,
)
from .numbering import hash_tracking_code, new_tracking_code, next_number, next_numbers

__all__ = [
    "APPELLANT_LABEL", "CONTENT_MAX", "ESCALATION_KINDS", "PHONE_RE", "REASON_MAX", "REPLY_MAX", "SYSTEM_LABEL",
    "TITLE_MAX", "Created", "EscalationNote", "NewAppeal", "accept", "answer_directly", "city_centre", "clean_text",
    "close", "create_ticket", "create_tickets", "decide_extension", "dispatch", "handle", "hash_tracking_code", "merge",
    "missing_co_parts",
    "new_tracking_code", "next_number", "next_numbers", "notify", "record_escalation", "record_escalations",
    "register", "reject", "release_reply", "reopen", "reply", "request_extension", "return_ticket",
    "return_to_city", "review", "review_window_days", "schedule_escalation_looks", "submit_co_part", "to_district",
    "transfer", "update_location", "validate_appeal", "waive_co_parts", "wake_for_escalation", "withhold_reply",
]
