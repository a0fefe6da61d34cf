"""What a session costs: one set of rules, in Python (:func:`session_cost`) and in the database
(:func:`annotate_costs`), which the tests hold to the same table of cases.

**The rules.** A session is paid to the provider employing its mediator at the provider's :class:`~timesheets.models.
Rate` valid on the session's day (Europe/Rome); with no rate valid that day the cost is unknown (``None``).

=================================================  ===============================================================
what happened                                      what is owed
=================================================  ===============================================================
void (entered by mistake)                          nothing
cancelled 24 hours or more before                  nothing
cancelled less than 24 hours before (the           the planned duration at the hourly rate, times the rate's
appointment's ``late_cancellation``, or the        late-cancellation share (100 % unless agreed otherwise);
report's outcome "cancelled late")                 no travel; expenses reported are reimbursed
held, or partly held                               the actual duration (from the report) at the hourly rate, the
                                                   km at the km rate, the travel minutes at the travel-time rate,
                                                   the expenses
the family did not come                            the planned duration at the hourly rate (the mediator was
                                                   there), the travel and the expenses as reported
the mediator did not come                          nothing
no report yet (planned, past or to come)           nothing yet (the timesheet shows the report as missing)
=================================================  ===============================================================

Durations are counted in whole minutes (seconds rounded to the nearest minute, half up); each part is rounded to
the cent (half up) and the parts are added: work, travel (km, then travel time) and expenses. Both implementations
compute in integer cents, so SQLite's floating-point decimals and PostgreSQL's numerics give the same cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DecimalField,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncDate

from sessions_app.models import SessionReport

from .models import Rate

CENT = Decimal("0.01")


class Billing:
    """What kind of session, for the money: each line of a timesheet says which rule it followed."""

    VOID = "void"
    CANCELLED = "cancelled"
    LATE_CANCELLATION = "late_cancellation"
    HELD = "held"
    FAMILY_ABSENT = "family_absent"
    MEDIATOR_ABSENT = "mediator_absent"
    NO_REPORT = "no_report"

    PAID_WORK_ACTUAL = (HELD,)
    PAID_WORK_PLANNED = (FAMILY_ABSENT,)
    PAID_TRAVEL = (HELD, FAMILY_ABSENT)
    PAID_EXPENSES = (HELD, FAMILY_ABSENT, LATE_CANCELLATION)


@dataclass(frozen=True)
class RateNumbers:
    """The numbers of a rate that a session's cost needs."""

    hourly: Decimal
    per_km: Decimal = Decimal(0)
    travel_hourly: Decimal = Decimal(0)
    late_cancellation_percent: int = 100

    @classmethod
    def of(cls, rate: Rate) -> RateNumbers:
        return cls(rate.hourly_rate, rate.km_rate, rate.travel_hourly_rate, rate.late_cancellation_percent)


@dataclass(frozen=True)
class SessionCost:
    billing: str
    minutes: int  # paid minutes of work
    km: Decimal  # paid kilometres
    travel_minutes: int  # paid minutes of travel
    expenses: Decimal  # reimbursed expenses
    cost: Decimal | None  # everything, in euro; None without a rate

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(CENT)


def billing_of(*, status: str, late_cancellation: bool, outcome: str | None) -> str:
    """Which rule a session follows, from its appointment's status and flag and its report's outcome (None
    without a report)."""
    if status == "void":
        return Billing.VOID
    if (status == "cancelled" and late_cancellation) or outcome == "cancelled_late":
        return Billing.LATE_CANCELLATION
    if status == "cancelled":
        return Billing.CANCELLED
    if outcome in ("held", "partly"):
        return Billing.HELD
    if outcome == "family_absent":
        return Billing.FAMILY_ABSENT
    if outcome == "mediator_absent":
        return Billing.MEDIATOR_ABSENT
    return Billing.NO_REPORT


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (whole seconds, rounded to the nearest minute, half up)."""
    seconds = int(end.timestamp()) - int(start.timestamp())
    return (seconds + 30) // 60


def _cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def _tenths(value: Decimal) -> int:
    return int((Decimal(value) * 10).to_integral_value())


def session_cost(
    *,
    status: str,
    late_cancellation: bool = False,
    outcome: str | None = None,
    planned_minutes: int,
    actual_minutes: int = 0,
    km: Decimal = Decimal(0),
    travel_minutes: int = 0,
    expenses: Decimal = Decimal(0),
    rate: RateNumbers | None,
) -> SessionCost:
    """One session's cost from its numbers (see the module's table). A pure function: no database."""
    billing = billing_of(status=status, late_cancellation=late_cancellation, outcome=outcome)
    if billing in Billing.PAID_WORK_ACTUAL:
        minutes = actual_minutes
    elif billing in Billing.PAID_WORK_PLANNED + (Billing.LATE_CANCELLATION,):
        minutes = planned_minutes
    else:
        minutes = 0
    percent = rate.late_cancellation_percent if rate and billing == Billing.LATE_CANCELLATION else 100
    paid_km = Decimal(km) if billing in Billing.PAID_TRAVEL else Decimal(0)
    paid_travel = travel_minutes if billing in Billing.PAID_TRAVEL else 0
    paid_expenses = Decimal(expenses) if billing in Billing.PAID_EXPENSES else Decimal(0)
    cost = None
    if rate is not None:
        work = (2 * minutes * _cents(rate.hourly) * percent + 6000) // 12000
        travel = (_tenths(paid_km) * _cents(rate.per_km) + 5) // 10
        travel_time = (2 * paid_travel * _cents(rate.travel_hourly) + 60) // 120
        cost = (Decimal(work + travel + travel_time + _cents(paid_expenses)) / 100).quantize(CENT)
    return SessionCost(
        billing=billing,
        minutes=minutes,
        km=paid_km.quantize(Decimal("0.1")),
        travel_minutes=paid_travel,
        expenses=paid_expenses.quantize(CENT),
        cost=cost,
    )


# --- The same rules in the database -----------------------------------------------------------------------------------


class _Minutes(Func):
    """Whole minutes between two timestamps, as in :func:`minutes_between` (NULL when either is NULL)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"((FLOOR(EXTRACT(EPOCH FROM {end}))::bigint - FLOOR(EXTRACT(EPOCH FROM {start}))::bigint + 30) / 60)"
        elif connection.vendor == "sqlite":
            # The format goes as a parameter: a literal '%s' in the SQL is not unescaped when a query has none.
            sql = f"((CAST(strftime(%s, {end}) AS INTEGER) - CAST(strftime(%s, {start}) AS INTEGER) + 30) / 60)"
            return sql, ("%s", *end_params, "%s", *start_params)
        else:  # pragma: no cover - the portal runs on PostgreSQL and SQLite only
            raise NotImplementedError(connection.vendor)
        return sql, (*end_params, *start_params)


class _Divided(Func):
    """An integer count divided by a whole number as a decimal with ``places`` decimals: numeric on PostgreSQL,
    a float on SQLite (turned into a Decimal with ``places`` decimals here)."""

    def __init__(self, expression, divisor: int, places: int):
        self.divisor, self.places = int(divisor), int(places)
        super().__init__(expression, output_field=DecimalField(max_digits=14, decimal_places=places))

    def as_sql(self, compiler, connection, **extra_context):
        inner, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"ROUND(({inner})::numeric / {self.divisor}, {self.places})", params
        return f"(({inner}) / {float(self.divisor)!r})", params

    def convert_value(self, value, expression, connection):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal(1).scaleb(-self.places))


class _Whole(Func):
    """A whole number."""

    template = "%(expressions)s"
    output_field = BigIntegerField()


def _dec(number) -> Value:
    return Value(Decimal(number), output_field=DecimalField(max_digits=12, decimal_places=2))


def _integer(expression, field=None):
    return Cast(Round(expression), field or BigIntegerField())


def _with_cost_day(appointments: QuerySet) -> QuerySet:
    """``cost_day``: the session's day in Italy, the day whose rate applies (:func:`_rates_of_the_day`)."""
    return appointments.annotate(cost_day=TruncDate("starts_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))


def _rates_of_the_day() -> QuerySet:
    """The rates of an appointment's provider valid on its ``cost_day``, the one that applies first (for a
    subquery over appointments annotated by :func:`_with_cost_day`)."""
    return (
        Rate.objects.filter(provider_id=OuterRef("mediator__provider_id"), valid_from__lte=OuterRef("cost_day"))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=OuterRef("cost_day")))
        .order_by("-valid_from")
    )


def _rate_value(field: str):
    return Subquery(_rates_of_the_day().values(field)[:1])


def _when_billing(mapping: dict[str, object], default):
    return Case(*[When(BILLING_CONDITIONS[key], then=value) for key, value in mapping.items()], default=default)


BILLING_CONDITIONS = {
    Billing.VOID: Q(status="void"),
    Billing.LATE_CANCELLATION: Q(status="cancelled", late_cancellation=True) | Q(report__outcome="cancelled_late"),
    Billing.CANCELLED: Q(status="cancelled"),
    Billing.HELD: Q(report__outcome__in=["held", "partly"]),
    Billing.FAMILY_ABSENT: Q(report__outcome="family_absent"),
    Billing.MEDIATOR_ABSENT: Q(report__outcome="mediator_absent"),
}


def annotate_costs(appointments: QuerySet) -> QuerySet:
    """Add to a queryset of :class:`requests_app.models.Appointment` what each one costs, computed in the database
    (SQLite and PostgreSQL) by the rules of this module, from its report (if any) and its provider's rate:

    - ``billing``: which rule applied (a :class:`Billing` value);
    - ``minutes`` (int) and ``hours`` (Decimal, 2 places): the paid work time;
    - ``km`` (Decimal, 1 place), ``paid_travel_minutes`` (int), ``paid_expenses`` (Decimal, 2 places);
    - ``hourly_rate`` (Decimal or None): the rate's hourly rate that day;
    - ``cost`` (Decimal, 2 places): everything owed for the session in euro, or None when the mediator's provider has
      no rate valid on the session's day (``Sum("cost")`` leaves those out: check ``hourly_rate`` if it matters).

    The reports' own status is not looked at: filter the queryset (``report__status="validated"``) for validated
    sessions only. Works with filters and with ``values(…).annotate(Sum(…))`` to add up by anything, e.g.
    ``annotate_costs(qs).values("mediator__provider_id").annotate(total=Sum("cost"), minutes=Sum("minutes"))``.
    For grand totals use :func:`cost_totals`: Django 5.2's ``aggregate()`` over an annotation holding the rate
    subqueries inside Case/When loses the reference (SQLite then sums the string 'cost').
    """
    # Each public annotation is one whole expression (no F() to another annotation), so that aggregates over
    # them need no reference to an alias that Django might leave out of its inner query.
    zero = Value(0, output_field=BigIntegerField())
    planned = _Minutes("starts_at", "ends_at")
    actual = _Minutes("report__started_at", "report__ended_at")
    minutes = _when_billing(
        {
            Billing.VOID: zero,
            Billing.LATE_CANCELLATION: planned,
            Billing.CANCELLED: zero,
            Billing.HELD: actual,
            Billing.FAMILY_ABSENT: planned,
        },
        zero,
    )
    paid_travel = Q(report__outcome__in=["held", "partly", "family_absent"]) & ~Q(status__in=["void", "cancelled"])
    paid_expenses = paid_travel | BILLING_CONDITIONS[Billing.LATE_CANCELLATION] & ~Q(status="void")
    km_tenths = Case(
        When(paid_travel, then=_integer(Coalesce(F("report__travel_km"), _dec(0)) * _dec(10))), default=zero
    )
    travel_minutes = Case(
        When(paid_travel, then=Cast(Coalesce(F("report__travel_minutes"), Value(0)), BigIntegerField())),
        default=zero,
    )
    expense_cents = Case(
        When(paid_expenses, then=_integer(Coalesce(F("report__expenses"), _dec(0)) * _dec(100))), default=zero
    )
    percent = Case(
        When(BILLING_CONDITIONS[Billing.VOID], then=Value(100)),
        When(
            BILLING_CONDITIONS[Billing.LATE_CANCELLATION],
            then=Cast(_rate_value("late_cancellation_percent"), BigIntegerField()),
        ),
        default=Value(100),
        output_field=BigIntegerField(),
    )
    cents = (
        (2 * minutes * _integer(_rate_value("hourly_rate") * _dec(100)) * percent + 6000) / 12000
        + (km_tenths * _integer(_rate_value("km_rate") * _dec(100)) + 5) / 10
        + (2 * travel_minutes * _integer(_rate_value("travel_hourly_rate") * _dec(100)) + 60) / 120
        + expense_cents
    )
    return _with_cost_day(appointments).annotate(
        billing=_when_billing(
            {key: Value(key) for key in BILLING_CONDITIONS}, Value(Billing.NO_REPORT, output_field=CharField())
        ),
        minutes=_Whole(minutes),
        hours=_Divided(minutes, 60, 2),
        km=_Divided(km_tenths, 10, 1),
        paid_travel_minutes=_Whole(travel_minutes),
        paid_expenses=_Divided(expense_cents, 100, 2),
        hourly_rate=_rate_value("hourly_rate"),
        cost=_Divided(cents, 100, 2),
    )


# --- A few rows priced in Python, with their rate from the database ------------------------------------------------


def annotate_rates(appointments: QuerySet) -> QuerySet:
    """Add to a queryset of appointments ``rate_numbers``: the numbers of the rate of its mediator's provider valid on
    its day (Europe/Rome), as one text (``None`` without a rate), for :func:`priced` to cost the rows in Python.

    For the few rows of a sheet (a page shows a month of one mediator) this is what a page needs instead of
    :func:`annotate_costs`, whose one large SQL expression takes longer for Django to build and compile (about 2 ms a
    query) than the rows take to read; sums over many rows belong to :func:`annotate_costs`. The two agree
    (``tests/test_costs.py``)."""
    return appointments.annotate(rate_numbers=RateNumbersOfTheDay())


class RateNumbersOfTheDay(Expression):
    """The subquery of :func:`annotate_rates`, written as SQL: the rate of the appointment's provider valid on its day
    in Italy (the latest ``valid_from`` that day, as :func:`_rates_of_the_day` orders them), its four numbers joined
    by ``|``. Built by the ORM it cost a sheet's page a tenth of its time to build and compile at every view (a
    ``Subquery`` with two ``OuterRef``, the day cast in the time zone, four casts); this one is a few string
    operations. The provider is the mediator's, joined by the query around it (``mediator__provider_id``, as the
    ORM's subquery did); the day is cast by the database backend's own ``datetime_cast_date_sql``, the SQL of
    ``TruncDate``, on the query's own table under whatever alias it has there."""

    output_field = CharField()

    def __init__(self, provider=None):
        super().__init__()
        self.provider = provider if provider is not None else F("mediator__provider_id")

    def get_source_expressions(self):
        return [self.provider]

    def set_source_expressions(self, expressions):
        (self.provider,) = expressions

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        provider, provider_params = compiler.compile(self.provider)
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        day, day_params = connection.ops.datetime_cast_date_sql(f"{table}.{quote('starts_at')}", (), settings.TIME_ZONE)
        numbers = " || '|' || ".join(
            f"CAST(_rate.{quote(field)} AS text)"
            for field in ("hourly_rate", "km_rate", "travel_hourly_rate", "late_cancellation_percent")
        )
        # Only names quoted by the backend, the ORM's own column and the backend's own cast; the time zone is a
        # parameter.
        sql = (
            f"(SELECT {numbers} FROM {quote(Rate._meta.db_table)} _rate"  # noqa: S608
            f" WHERE _rate.{quote('provider_id')} = {provider}"
            f" AND _rate.{quote('valid_from')} <= {day}"
            f" AND (_rate.{quote('valid_until')} IS NULL OR _rate.{quote('valid_until')} >= {day})"
            f" ORDER BY _rate.{quote('valid_from')} DESC LIMIT 1)"
        )
        return sql, (*provider_params, *day_params, *day_params)


def _rate_of(text: str | None) -> RateNumbers | None:
    if text is None:
        return None
    hourly, per_km, travel_hourly, percent = text.split("|")
    return RateNumbers(
        hourly=Decimal(hourly), per_km=Decimal(per_km), travel_hourly=Decimal(travel_hourly),
        late_cancellation_percent=int(Decimal(percent)),
    )  # fmt: skip


def report_of(appointment) -> SessionReport | None:
    """The appointment's session report, or None (read with ``select_related("report")``: no query)."""
    try:
        return appointment.report
    except SessionReport.DoesNotExist:
        return None


def priced(appointment, report: SessionReport | None) -> SessionCost:
    """The cost of an appointment read through :func:`annotate_rates`, with its report (:func:`report_of`)."""
    numbers = {}
    if report is not None:
        numbers = {
            "outcome": report.outcome,
            "actual_minutes": minutes_between(report.started_at, report.ended_at),
            "km": report.travel_km or Decimal(0),
            "travel_minutes": report.travel_minutes or 0,
            "expenses": report.expenses or Decimal(0),
        }
    return session_cost(
        status=appointment.status,
        late_cancellation=appointment.late_cancellation,
        planned_minutes=minutes_between(appointment.starts_at, appointment.ends_at),
        rate=_rate_of(appointment.rate_numbers),
        **numbers,
    )


def cost_totals(appointments: QuerySet) -> dict:
    """Grand totals of a queryset of appointments, in one query: ``sessions``, ``minutes``, ``km``,
    ``paid_travel_minutes``, ``paid_expenses`` and ``cost`` (the sessions without a rate are left out of ``cost``)."""
    rows = (
        annotate_costs(appointments.order_by())
        .annotate(_all=Value(1, output_field=IntegerField()))
        .values("_all")
        .annotate(
            sessions=Count("pk"),
            total_minutes=Sum("minutes"),
            total_km=Sum("km"),
            total_travel_minutes=Sum("paid_travel_minutes"),
            total_expenses=Sum("paid_expenses"),
            total_cost=Sum("cost"),
        )
    )
    row = next(iter(rows), {})
    return {
        "sessions": row.get("sessions") or 0,
        "minutes": int(row.get("total_minutes") or 0),
        "km": Decimal(row.get("total_km") or 0).quantize(Decimal("0.1")),
        "paid_travel_minutes": int(row.get("total_travel_minutes") or 0),
        "paid_expenses": Decimal(row.get("total_expenses") or 0).quantize(CENT),
        "cost": Decimal(row.get("total_cost") or 0).quantize(CENT),
    }


# --- Sums by group, for one district's month or a province's -----------------------------------------------------

GROUP_SUMS = ("billing", "n", "total_minutes", "total_km", "total_cost")


def grouped_costs(appointments: QuerySet, by: tuple[str, ...]) -> list[dict]:
    """The appointments' sessions, paid minutes, km and cost summed by the fields ``by`` and the billing rule: the rows
    of ``annotate_costs(qs).values(*by, "billing").annotate(n=…, total_minutes=…, total_km=…, total_cost=…)``, with
    the same numbers (``tests/test_costs.py``). Each line is read with its rate (:func:`annotate_rates`, one subquery
    a line) and its minutes, and costed by :func:`session_cost`, the function of a sheet's lines: for a month of a
    district or of a province this costs less than the database's large expression (four rate subqueries a line, and
    its building and planning)."""
    # The minutes come from the database (:class:`_Minutes`, as :func:`minutes_between` counts them): four times a
    # line read as text and parsed cost more than the rest of the line.
    lines = (
        annotate_rates(appointments)
        .annotate(planned=_Minutes("starts_at", "ends_at"), actual=_Minutes("report__started_at", "report__ended_at"))
        .order_by()
        .values_list(
            *by, "status", "late_cancellation", "planned", "rate_numbers", "report__id", "report__outcome", "actual",
            "report__travel_km", "report__travel_minutes", "report__expenses",
        )
    )  # fmt: skip
    rates: dict[str | None, RateNumbers | None] = {}
    sums: dict[tuple, list] = {}
    width = len(by)
    for row in lines:
        status, late, planned, numbers, report, outcome, actual, km, travel, expenses = row[width:]
        rate = rates[numbers] if numbers in rates else rates.setdefault(numbers, _rate_of(numbers))
        reported = {}
        if report is not None:
            reported = {
                "outcome": outcome,
                "actual_minutes": actual,
                "km": km or Decimal(0),
                "travel_minutes": travel or 0,
                "expenses": expenses or Decimal(0),
            }
        cost = session_cost(
            status=status,
            late_cancellation=late,
            planned_minutes=planned,
            rate=rate,
            **reported,
        )
        key = (*row[:width], cost.billing)
        group = sums.get(key)
        if group is None:
            group = sums[key] = [0, 0, Decimal(0), None]
        group[0] += 1
        group[1] += cost.minutes
        group[2] += cost.km
        if cost.cost is not None:
            group[3] = cost.cost if group[3] is None else group[3] + cost.cost
    return [
        {**dict(zip(by, key[:width], strict=True)), **dict(zip(GROUP_SUMS, (key[width], *group), strict=True))}
        for key, group in sums.items()
    ]
