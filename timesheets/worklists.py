"""The timesheets' lines of the home page's work list (mediazione.work): what to approve, what to submit."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.scoping import visible
from scheduling.models import Appointment

from .models import Timesheet
from .months import first_of, month_bounds, previous_month
from .selectors import Sheet, line_of, sheet_rows


def timesheets_to_approve(*, user) -> QuerySet[Timesheet]:
    """Submitted timesheets of the districts the user sees, the longest waiting first (one query)."""
    return (
        visible(user, Timesheet)
        .filter(status=Timesheet.Status.SUBMITTED)
        .select_related("mediator", "district")
        .order_by("submitted_at", "pk")
    )


def sheets_to_submit(*, user, today: date | None = None) -> list[Sheet]:
    """A mediator's sheets of last month that have sessions and are not submitted yet (draft or sent back): the
    month is over, so they can go. One query: the month's lines of the mediator, each with its district and the
    status of its sheet's timesheet (a sheet without lines has nothing to submit, so the districts come from the
    lines; see :func:`my_sheets` for the month's page, which also shows the empty ones)."""
    today = today or timezone.localdate()
    month = previous_month(first_of(today))
    start, end = month_bounds(month)
    timesheet = Timesheet.objects.filter(
        mediator_id=OuterRef("mediator_id"), district_id=OuterRef("district_id"), month=month
    )
    rows = (
        sheet_rows(Appointment.objects.filter(mediator__user=user, starts_at__gte=start, starts_at__lt=end))
        .select_related("mediator", "district")
        .annotate(
            timesheet_id=Subquery(timesheet.values("pk")[:1]),
            timesheet_status=Subquery(timesheet.values("status")[:1]),
        )
    )
    sheets: dict[int, Sheet] = {}
    for row in rows:
        district = row.district
        sheet = sheets.get(district.pk)
        if sheet is None:
            sheet = sheets[district.pk] = Sheet(mediator=row.mediator, district=district, month=month)
            if row.timesheet_id is not None:
                sheet.timesheet = Timesheet(
                    pk=row.timesheet_id,
                    mediator=row.mediator,
                    district=district,
                    month=month,
                    status=row.timesheet_status,
                )
        sheet.lines.append(line_of(row))
    editable = (Timesheet.Status.DRAFT, Timesheet.Status.SENT_BACK)
    return [sheets[pk] for pk in sorted(sheets) if sheets[pk].status in editable]
