"""Scoped reads of rates and timesheets (the months and the lock the session reports obey: :mod:`timesheets.months`).

A sheet is a mediator's month in one district: its lines are the month's appointments (Europe/Rome), read with the
rate of their day and costed in Python by :func:`timesheets.costs.priced` (sums over many sheets are costed in the
database by :func:`timesheets.costs.annotate_costs`, by the same rules); every page builds its sheets in a fixed
number of queries whatever the number of mediators or lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import router
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import District, Role
from accounts.scoping import actor_for, visible
from core import compiled
from mediators.models import Mediator
from scheduling.models import Appointment
from sessions_app.models import SessionReport

from .costs import CENT, Billing, annotate_rates, grouped_costs, priced, report_of
from .fields import LINE_FIELDS, MONTH_LINE_FIELDS, MONTH_MEDIATOR_FIELDS
from .models import Timesheet
from .months import month_bounds, month_is_over
from .rules import annotate_works_for, timesheet_pair_visible
from .translation_work import TranslationLine, attach_translation_work, translation_work

ROME = ZoneInfo(settings.TIME_ZONE)
ReportStatus = SessionReport.Status
# Reports a timesheet can be submitted and approved with: the mediator has sent them (the coordinator may still be
# validating them).
SENT_REPORTS = (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED, ReportStatus.VALIDATED)

BILLING_LABELS = {
    Billing.VOID: gettext_lazy("Void"),
    Billing.CANCELLED: gettext_lazy("Cancelled in time: not owed"),
    Billing.LATE_CANCELLATION: gettext_lazy("Cancelled late: owed"),
    Billing.HELD: gettext_lazy("Held"),
    Billing.FAMILY_ABSENT: gettext_lazy("The family did not come: owed"),
    Billing.MEDIATOR_ABSENT: gettext_lazy("The mediator did not come: not owed"),
    Billing.NO_REPORT: gettext_lazy("No report yet"),
}


# --- Sheets -----------------------------------------------------------------------------------------------------------


@dataclass
class Line:
    appointment: Appointment
    billing: str
    minutes: int
    hours: Decimal
    km: Decimal
    travel_minutes: int
    expenses: Decimal
    cost: Decimal | None
    report: SessionReport | None

    @property
    def billing_label(self) -> str:
        return str(BILLING_LABELS[self.billing])

    @property
    def report_status(self) -> str:
        return self.report.get_status_display() if self.report else _("No report")

    @property
    def report_sent(self) -> bool:
        return self.report is not None and self.report.status in SENT_REPORTS


@dataclass
class Sheet:
    mediator: Mediator
    district: District
    month: date
    timesheet: Timesheet | None = None
    lines: list[Line] = field(default_factory=list)
    # The month's approved translations of the mini-guide, where the province counts them (empty otherwise).
    translation_lines: list[TranslationLine] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.timesheet.status if self.timesheet else Timesheet.Status.DRAFT

    @property
    def status_label(self) -> str:
        return str(Timesheet.Status(self.status).label)

    def get_absolute_url(self) -> str:
        from .models import sheet_url

        return sheet_url(self.mediator.pk, self.district.pk, self.month)

    @property
    def owed_lines(self) -> list[Line]:
        return [line for line in self.lines if line.billing not in (Billing.VOID, Billing.CANCELLED)]

    @property
    def sessions(self) -> int:
        return sum(1 for line in self.lines if line.billing in (Billing.HELD, Billing.FAMILY_ABSENT))

    @property
    def late_cancellations(self) -> int:
        return sum(1 for line in self.lines if line.billing == Billing.LATE_CANCELLATION)

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def translation_hours(self) -> Decimal:
        return sum((line.hours for line in self.translation_lines), Decimal("0.00"))

    @property
    def hours(self) -> Decimal:
        """The sessions' hours and the translation work's."""
        return (Decimal(self.minutes) / 60 + self.translation_hours).quantize(CENT)

    @property
    def km(self) -> Decimal:
        return sum((line.km for line in self.lines), Decimal("0.0"))

    @property
    def travel_minutes(self) -> int:
        return sum(line.travel_minutes for line in self.lines)

    @property
    def expenses(self) -> Decimal:
        return sum((line.expenses for line in self.lines), Decimal("0.00"))

    @property
    def cost(self) -> Decimal:
        lines = [*self.lines, *self.translation_lines]
        return sum((line.cost for line in lines if line.cost is not None), Decimal("0.00"))

    @property
    def missing_reports(self) -> list[Line]:
        """Lines that owe a report the mediator has not sent yet (none, a draft, or one sent back)."""
        return [
            line
            for line in self.lines
            if line.billing not in (Billing.VOID, Billing.CANCELLED)
            and not (line.billing == Billing.LATE_CANCELLATION and line.report is None)
            and not line.report_sent
        ]

    @property
    def unpriced(self) -> list[Line | TranslationLine]:
        return [
            line for line in self.lines if line.cost is None and line.billing not in (Billing.VOID, Billing.CANCELLED)
        ] + [line for line in self.translation_lines if line.cost is None]


def sheet_rows(appointments: QuerySet) -> QuerySet:
    """The appointments of sheets with what a line shows and the rate of their day (one query), for
    :func:`line_of` to cost each in Python: a page's few lines cost less this way than through the large SQL
    expression of :func:`timesheets.costs.annotate_costs`, which gives the same numbers."""
    return _owing(annotate_rates(appointments)).select_related("request__office", "report").order_by("starts_at", "pk")


def _owing(appointments: QuerySet) -> QuerySet:
    """The appointments that owe something: void ones and those cancelled in time owe nothing and need no report."""
    return appointments.exclude(status=Appointment.Status.VOID).exclude(
        status=Appointment.Status.CANCELLED, late_cancellation=False
    )


def line_of(row: Appointment) -> Line:
    """A line of a sheet from a row of :func:`sheet_rows`."""
    report = report_of(row)
    cost = priced(row, report)
    return Line(
        appointment=row,
        billing=cost.billing,
        minutes=cost.minutes,
        hours=cost.hours,
        km=cost.km,
        travel_minutes=cost.travel_minutes,
        expenses=cost.expenses,
        cost=cost.cost,
        report=report,
    )


def build_sheets(*, pairs: list[tuple[Mediator, District]], month: date) -> list[Sheet]:
    """The sheets of these (mediator, district) pairs for a month: three queries whatever their number (the lines,
    the timesheets, the translation work)."""
    sheets = {(m.pk, d.pk): Sheet(mediator=m, district=d, month=month) for m, d in pairs}
    if not sheets:
        return []
    mediator_ids = {m for m, _d in sheets}
    district_ids = {d for _m, d in sheets}
    start, end = month_bounds(month)
    rows = sheet_rows(
        Appointment.objects.filter(
            mediator_id__in=mediator_ids, district_id__in=district_ids, starts_at__gte=start, starts_at__lt=end
        )
    ).only(*LINE_FIELDS)
    for row in rows:
        sheet = sheets.get((row.mediator_id, row.district_id))
        if sheet is not None:
            sheet.lines.append(line_of(row))
    for timesheet in Timesheet.objects.filter(
        mediator_id__in=mediator_ids, district_id__in=district_ids, month=month
    ).select_related("submitted_by", "approved_by", "sent_back_by"):
        sheet = sheets.get((timesheet.mediator_id, timesheet.district_id))
        if sheet is not None:
            sheet.timesheet = timesheet
    attach_translation_work(sheets, translation_work(month=month, mediator_ids=mediator_ids, district_ids=district_ids))
    return list(sheets.values())


def _active_pairs(mediators: list[Mediator], district_ids: set[int], month: date) -> list[tuple[int, int]]:
    """(mediator, district) pairs with appointments in the month, or where the mediator serves the district."""
    start, end = month_bounds(month)
    month_rows = Appointment.objects.filter(mediator__in=mediators, starts_at__gte=start, starts_at__lt=end)
    pairs = set(
        month_rows.filter(district_id__in=district_ids)
        .order_by()  # without the default order, so that the pairs are distinct
        .values_list("mediator_id", "district_id")
        .distinct()
    )
    for mediator in mediators:
        for district in mediator.districts.all():
            if district.pk in district_ids:
                pairs.add((mediator.pk, district.pk))
    return sorted(pairs)


def own_mediator(*, user) -> Mediator | None:
    return Mediator.objects.filter(user=user).prefetch_related("districts").select_related("provider").first()


def my_sheets(*, user, month: date) -> tuple[Mediator | None, list[Sheet]]:
    """A mediator's sheets of a month: one per district they serve or worked in that month (a line or a timesheet),
    in the order of the districts. Five queries: the profile, its districts, the month's lines (costed, with their
    district), the month's timesheets, the month's translation work (where the province counts it)."""
    mediator = own_mediator(user=user)
    if mediator is None:
        return None, []
    start, end = month_bounds(month)
    sheets = {d.pk: Sheet(mediator=mediator, district=d, month=month) for d in mediator.districts.all()}
    # The lines (with each day's rate: a fifth of the page's CPU time to build and compile) and the timesheets, from SQL
    # compiled once per mediator, month and time zone in each process (core/compiled.py); the rows read each time.
    appointments = Appointment.objects.filter(mediator=mediator, starts_at__gte=start, starts_at__lt=end)
    key, database = (mediator.pk, start, end, timezone.get_current_timezone_name()), router.db_for_read(Timesheet)
    rows = compiled.rows_of(("my-lines", *key), lambda: sheet_rows(appointments).only(*LINE_FIELDS), database=database)
    timesheets = Timesheet.objects.filter(mediator=mediator, month=month)
    people = ("district", "submitted_by", "approved_by", "sent_back_by")
    for timesheet in compiled.rows_of(
        ("my-timesheets", *key), lambda: timesheets.select_related(*people), database=database
    ):
        sheet = sheets.setdefault(
            timesheet.district_id, Sheet(mediator=mediator, district=timesheet.district, month=month)
        )
        sheet.timesheet = timesheet
    work = translation_work(month=month, mediator_ids=[mediator.pk])
    # Sessions or a task in a district the mediator does not serve (rare: a district's coordinator picks among her
    # district's mediators).
    others = ({row.district_id for row in rows} | {line.task.sheet_district_id for line in work}) - set(sheets)
    for district in District.objects.filter(pk__in=others) if others else []:
        sheets[district.pk] = Sheet(mediator=mediator, district=district, month=month)
    for row in rows:
        sheets[row.district_id].lines.append(line_of(row))
    attach_translation_work({(mediator.pk, pk): sheet for pk, sheet in sheets.items()}, work)
    return mediator, [sheets[pk] for pk in sorted(sheets)]


def my_history(*, mediator: Mediator, months: int = 12) -> list[Timesheet]:
    return compiled.rows_of(
        ("my-history", mediator.pk, months),
        lambda: (
            Timesheet.objects.filter(mediator=mediator)
            .select_related("district")
            .order_by("-month", "district__name")[: months * 3]
        ),
        database=router.db_for_read(Timesheet),
    )


def managed_districts(*, user) -> QuerySet[District]:
    """The districts whose timesheets the user approves or oversees: a coordinator's, the province's for its staff."""
    actor = actor_for(user)
    if actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF) or actor.is_admin:
        return visible(user, District).select_related("province").order_by("province__name", "name")
    return District.objects.none()


def district_sheets(*, user, month: date, district_id: int | None = None) -> tuple[list[District], list[Sheet]]:
    """Every sheet of the month in the districts the user manages (optionally one of them). Six queries."""
    districts = list(managed_districts(user=user))
    if district_id is not None:
        districts = [d for d in districts if d.pk == district_id]
    ids = {d.pk for d in districts}
    start, end = month_bounds(month)
    mediators = list(
        Mediator.objects.filter(
            Q(districts__in=ids)
            | Q(
                pk__in=Appointment.objects.filter(district_id__in=ids, starts_at__gte=start, starts_at__lt=end).values(
                    "mediator_id"
                )
            )
        )
        .distinct()
        .select_related("provider")
        .prefetch_related("districts")
        .order_by("last_name", "first_name", "pk")
    )
    by_id = {m.pk: m for m in mediators}
    by_district = {d.pk: d for d in districts}
    pairs = [(by_id[m], by_district[d]) for m, d in _active_pairs(mediators, ids, month)]
    sheets = build_sheets(pairs=pairs, month=month)
    sheets.sort(key=lambda s: (s.district.name, s.mediator.last_name, s.mediator.first_name, s.mediator.pk))
    return districts, sheets


# The district's month lists this many sheets a page.
SHEETS_PER_PAGE = 25


@dataclass
class DistrictMonth:
    """The month's timesheets of the districts a user manages, a page of them: the sheets with work (a line or a
    timesheet), ordered by district and mediator; the totals of all of them; how many mediators serving the
    districts had nothing in the month."""

    districts: list[District]
    page: Page
    totals: dict
    idle: int

    @property
    def sheets(self) -> list[Sheet]:
        return list(self.page.object_list)


def month_lines(district_ids, month: date) -> QuerySet:
    start, end = month_bounds(month)
    return _owing(Appointment.objects.filter(district_id__in=district_ids, starts_at__gte=start, starts_at__lt=end))


def district_month(*, user, month: date, page_number=None) -> DistrictMonth:
    """A page of the month's sheets of the districts the user manages (:func:`district_sheets` builds them all, for
    the exports). Seven queries whatever the number of mediators: the districts; the month's lines grouped by
    mediator, district and billing (the order of the sheets and the exact totals of the month); the month's
    timesheets (plain rows); the page's timesheets (when it has any); the lines of the page's sheets, costed; the
    (mediator, district) pairs of the districts' roster, to count the mediators who had nothing; the month's
    translation work where the province counts it (its lines, hours and costs)."""
    districts = list(managed_districts(user=user))
    by_district = {d.pk: d for d in districts}
    grouped = grouped_costs(
        month_lines(by_district, month),
        ("mediator_id", "district_id", "mediator__last_name", "mediator__first_name"),
    )
    keys: dict[tuple[int, int], tuple] = {}
    totals = {"sheets": 0, "sessions": 0, "late_cancellations": 0, "minutes": 0, "km": Decimal("0.0"),
              "cost": Decimal("0.00")}  # fmt: skip
    for row in grouped:
        pair = (row["mediator_id"], row["district_id"])
        keys[pair] = (row["mediator__last_name"], row["mediator__first_name"])
        if row["billing"] in (Billing.HELD, Billing.FAMILY_ABSENT):
            totals["sessions"] += row["n"]
        elif row["billing"] == Billing.LATE_CANCELLATION:
            totals["late_cancellations"] += row["n"]
        totals["minutes"] += int(row["total_minutes"] or 0)
        totals["km"] += Decimal(row["total_km"] or 0)
        totals["cost"] += Decimal(row["total_cost"] or 0)
    # The month's timesheets as plain rows (the province holds a thousand or more): only the page's become objects.
    kept = {}
    for row in Timesheet.objects.filter(district_id__in=by_district, month=month).values(
        "pk", "mediator_id", "district_id", "mediator__last_name", "mediator__first_name"
    ):
        pair = (row["mediator_id"], row["district_id"])
        kept[pair] = row["pk"]
        keys.setdefault(pair, (row["mediator__last_name"], row["mediator__first_name"]))
    # The translation work of the month (where the province counts it): few rows, read whole in one query.
    work = translation_work(month=month, district_ids=list(by_district))
    work_hours = Decimal("0.00")
    for line in work:
        pair = (line.task.translator_id, line.task.sheet_district_id)
        keys.setdefault(pair, (line.task.translator.last_name, line.task.translator.first_name))
        work_hours += line.hours
        totals["cost"] += line.cost or 0
    totals["sheets"] = len(keys)
    totals["hours"] = (Decimal(totals["minutes"]) / 60 + work_hours).quantize(CENT)
    totals["km"] = totals["km"].quantize(Decimal("0.1"))
    totals["cost"] = totals["cost"].quantize(CENT)
    ordered = sorted(keys, key=lambda pair: (by_district[pair[1]].name, *keys[pair], pair[0]))
    page = Paginator(ordered, SHEETS_PER_PAGE).get_page(page_number)
    pairs = list(page.object_list)
    wanted = [kept[pair] for pair in pairs if pair in kept]
    timesheets = {
        (t.mediator_id, t.district_id): t
        for t in (
            Timesheet.objects.filter(pk__in=wanted)
            .select_related("mediator__provider")
            .only(*(field.name for field in Timesheet._meta.concrete_fields), *MONTH_MEDIATOR_FIELDS)
            if wanted
            else []
        )
    }
    sheets = {
        pair: Sheet(
            mediator=timesheets[pair].mediator if pair in timesheets else None,
            district=by_district[pair[1]],
            month=month,
            timesheet=timesheets.get(pair),
        )
        for pair in pairs
    }
    if pairs:
        # The page shows each sheet's totals and state, not its lines: their requests and offices are not read.
        rows = (
            sheet_rows(month_lines({d for _m, d in pairs}, month).filter(mediator_id__in={m for m, _d in pairs}))
            .select_related(None)
            .select_related("report", "mediator__provider")
            .only(*MONTH_LINE_FIELDS)
        )
        for row in rows:
            sheet = sheets.get((row.mediator_id, row.district_id))
            if sheet is not None:
                sheet.mediator = sheet.mediator or row.mediator
                sheet.lines.append(line_of(row))
    attach_translation_work(sheets, work)
    for sheet in sheets.values():
        if sheet.mediator is None and sheet.translation_lines:  # a month of translation work only
            sheet.mediator = sheet.translation_lines[0].task.translator
    page.object_list = [sheets[pair] for pair in pairs]
    # The pairs with work are known already: the others serving the districts are counted here, without asking the
    # database for the month's appointments again.
    served = Mediator.districts.through.objects.filter(district_id__in=by_district).values_list(
        "mediator_id", "district_id"
    )
    idle = len({mediator for mediator, district in served if (mediator, district) not in keys}) if by_district else 0
    return DistrictMonth(districts=districts, page=page, totals=totals, idle=idle)


def sheet_detail(*, user, mediator_id: int, district_id: int, month: date) -> Sheet:
    """One sheet, or 404 when the user may not see it (accounts.scoping.timesheet_pair_visible): its mediator, the
    district's coordinators, the province's staff, administrators, and only where the mediator works for the
    district."""
    if not (0 < mediator_id < 2**63 and 0 < district_id < 2**63):
        raise Http404  # an id no database holds (and one SQLite cannot even compare)
    # Each from SQL compiled once per district in each process (core/compiled.py), whether the mediator works there too.
    database, mediators = router.db_for_read(Mediator), Mediator.objects.select_related("provider")
    works = annotate_works_for(mediators, district_id)
    try:
        mediator = compiled.one_by_pk(Mediator, ("sheet", district_id), lambda: works, mediator_id, database=database)
        district = compiled.one_by_pk(District, ("sheet",), District.objects.all, district_id, database=database)
    except (Mediator.DoesNotExist, District.DoesNotExist):
        raise Http404 from None
    if not timesheet_pair_visible(user, mediator=mediator, district=district):
        raise Http404
    return build_sheets(pairs=[(mediator, district)], month=month)[0]


def timesheets_by_ids(*, user, ids: list[int]) -> dict[int, Timesheet]:
    """The timesheets of a batch the user may see, by id (one query): an id outside the scope is simply absent."""
    return {
        timesheet.pk: timesheet
        for timesheet in visible(user, Timesheet).filter(pk__in=ids).select_related("mediator__provider", "district")
    }


def sheet_actions(*, user, sheet: Sheet) -> dict[str, bool]:
    actor = actor_for(user)
    own = actor.role == Role.MEDIATOR and sheet.mediator.user_id == user.pk
    coordinator = actor.is_admin or (actor.role == Role.COORDINATOR and sheet.district.pk in actor.district_ids)
    editable = sheet.status in (Timesheet.Status.DRAFT, Timesheet.Status.SENT_BACK)
    return {
        # timesheet_submit refuses a month that is not over: no button before then.
        "submit": (own or actor.is_admin) and editable and month_is_over(sheet.month),
        "approve": coordinator and sheet.status == Timesheet.Status.SUBMITTED,
        "send_back": coordinator and sheet.status == Timesheet.Status.SUBMITTED,
        # Writing a missing report: the mediator, or a coordinator of the district on their behalf (as
        # sessions_app.selectors.may_write_report); province staff oversee, they do not write.
        "write_reports": own or coordinator,
        "costs": shows_costs(user=user),
    }


def shows_costs(*, user) -> bool:
    """Costs and rates are for those who approve them: coordinators, province staff, administrators. A mediator
    sees hours, km, travel minutes and expenses, never the cooperative's billing rate."""
    actor = actor_for(user)
    return actor.is_admin or actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF)
