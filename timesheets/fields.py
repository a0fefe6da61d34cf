"""The columns a sheet's lines read (``.only()`` on ``timesheets.selectors.sheet_rows``): what a line shows and what
costing it needs, never the reports' texts nor the mediators' notes and contacts (issue #17)."""

# What a sheet's line reads of its appointment, request, office and report (``.only()`` on :func:`sheet_rows`).
LINE_FIELDS = (
    "id", "request_id", "district_id", "mediator_id", "starts_at", "ends_at", "mode", "status", "late_cancellation",
    "request__case_code", "request__office__name", "report__appointment_id", "report__status", "report__outcome",
    "report__started_at", "report__ended_at", "report__travel_km", "report__travel_minutes", "report__expenses",
)  # fmt: skip


# What the month's page reads of a sheet's mediator (name, provider, account) and lines (their costs and whether their
# reports are sent): not the reports' texts nor the mediators' notes and contacts (issue #17: the whole rows were a
# third of the page's reading).
MONTH_MEDIATOR_FIELDS = (
    "mediator__first_name", "mediator__last_name", "mediator__user_id", "mediator__provider_id",
    "mediator__provider__name",
)  # fmt: skip
MONTH_LINE_FIELDS = (
    "id", "request_id", "district_id", "mediator_id", "starts_at", "ends_at", "mode", "status", "late_cancellation",
    "report__appointment_id", "report__status", "report__outcome", "report__started_at", "report__ended_at",
    "report__travel_km", "report__travel_minutes", "report__expenses", *MONTH_MEDIATOR_FIELDS,
)  # fmt: skip
