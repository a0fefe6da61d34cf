"""Every write about session reports and evaluations, one module each: reports (written, submitted, confirmed,
validated, sent back, in batches; completing a request), evaluations, and the mediators' ratings added up from
them. Import from here (``from sessions_app import services``)."""

from .evaluations import criteria_seed_defaults, evaluation_save
from .ratings import ratings_check, ratings_rebuild, ratings_refresh
from .reports import (
    APPOINTMENT_STATUS,
    DEFAULT_CRITERIA,
    HELD_OUTCOMES,
    REPORT_FIELDS,
    report_confirm,
    report_label,
    report_save,
    report_send_back,
    report_submit,
    report_validate,
    reports_confirm,
    reports_validate,
    request_complete,
)

__all__ = [
    "APPOINTMENT_STATUS",
    "DEFAULT_CRITERIA",
    "HELD_OUTCOMES",
    "REPORT_FIELDS",
    "criteria_seed_defaults",
    "evaluation_save",
    "ratings_check",
    "ratings_rebuild",
    "ratings_refresh",
    "report_confirm",
    "report_label",
    "report_save",
    "report_send_back",
    "report_submit",
    "report_validate",
    "reports_confirm",
    "reports_validate",
    "request_complete",
]
