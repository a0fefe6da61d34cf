"""What a session costs: one table of cases, checked against the pure function and against the database
annotation (the two must agree to the cent, on SQLite and on PostgreSQL)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.models import Appointment
from sessions_app.models import SessionReport
from timesheets.costs import (
    Billing,
    RateNumbers,
    annotate_costs,
    annotate_rates,
    cost_totals,
    grouped_costs,
    minutes_between,
    priced,
    report_of,
    session_cost,
)
from timesheets.models import Rate

from . import factories as f

ROME = ZoneInfo("Europe/Rome")
D = Decimal
RATE = RateNumbers(hourly=D("21.50"), per_km=D("0.35"), travel_hourly=D("10.00"), late_cancellation_percent=100)
HALF_LATE = RateNumbers(hourly=D("21.50"), per_km=D("0.35"), travel_hourly=D("10.00"), late_cancellation_percent=50)
ODD = RateNumbers(hourly=D("21.30"), per_km=D("0.33"), travel_hourly=D("0"))

# (case, appointment status, late flag, report outcome or None, planned minutes, actual seconds, km, travel minutes,
#  expenses, rate, billing, paid minutes, cost)
CASES = [
    ("held: actual time, km, travel time and expenses", "held", False, "held", 60, 75 * 60, "12.5", 25, "3.40", RATE,
     Billing.HELD, 75, "38.83"),  # 26.875→26.88 + 4.375→4.38 + 4.1666→4.17 + 3.40
    ("partly held: the actual time only", "held", False, "partly", 60, 40 * 60, "0", 0, "0", RATE,
     Billing.HELD, 40, "14.33"),
    ("family did not come: planned time and the travel", "no_show", False, "family_absent", 60, 20 * 60, "10", 20,
     "0", RATE, Billing.FAMILY_ABSENT, 60, "28.33"),  # 21.50 + 3.50 + 3.33
    ("mediator did not come: nothing", "no_show", False, "mediator_absent", 60, 60 * 60, "8", 15, "2.00", RATE,
     Billing.MEDIATOR_ABSENT, 0, "0.00"),
    ("cancelled late, no report: the planned time", "cancelled", True, None, 90, 0, "0", 0, "0", RATE,
     Billing.LATE_CANCELLATION, 90, "32.25"),
    ("cancelled late in the report: planned time and expenses, no travel", "cancelled", True, "cancelled_late", 60,
     60 * 60, "14", 30, "5.00", RATE, Billing.LATE_CANCELLATION, 60, "26.50"),
    ("cancelled late at a rate owing half", "cancelled", True, None, 60, 0, "0", 0, "0", HALF_LATE,
     Billing.LATE_CANCELLATION, 60, "10.75"),
    ("cancelled in time: nothing", "cancelled", False, None, 60, 0, "0", 0, "0", RATE, Billing.CANCELLED, 0, "0.00"),
    ("void: nothing", "void", False, None, 60, 0, "0", 0, "0", RATE, Billing.VOID, 0, "0.00"),
    ("planned without a report: nothing yet", "planned", False, None, 60, 0, "0", 0, "0", RATE, Billing.NO_REPORT,
     0, "0.00"),
    ("a tie rounds half up: 45 minutes at 21.30 is 15.975", "held", False, "held", 45, 45 * 60, "1.5", 0, "0", ODD,
     Billing.HELD, 45, "16.48"),  # 15.975→15.98 + 0.495→0.50
    ("seconds round to the nearest minute", "held", False, "held", 60, 74 * 60 + 30, "0", 0, "0", RATE,
     Billing.HELD, 75, "26.88"),
    ("no rate that day: the cost is unknown", "held", False, "held", 60, 60 * 60, "0", 0, "0", None, Billing.HELD,
     60, None),
]  # fmt: skip
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize(
    ("case", "status", "late", "outcome", "planned", "seconds", "km", "travel", "expenses", "rate", "billing",
     "minutes", "cost"),
    CASES,
    ids=IDS,
)  # fmt: skip
def test_the_pure_function_follows_the_table(
    case, status, late, outcome, planned, seconds, km, travel, expenses, rate, billing, minutes, cost
):
    result = session_cost(
        status=status,
        late_cancellation=late,
        outcome=outcome,
        planned_minutes=planned,
        actual_minutes=(seconds + 30) // 60,
        km=D(km),
        travel_minutes=travel,
        expenses=D(expenses),
        rate=rate,
    )
    assert result.billing == billing
    assert result.minutes == minutes
    assert result.cost == (None if cost is None else D(cost))


def _rate(provider, numbers: RateNumbers, valid_from=date(2020, 1, 1), valid_until=None) -> Rate:
    return Rate.objects.create(
        provider=provider,
        valid_from=valid_from,
        valid_until=valid_until,
        hourly_rate=numbers.hourly,
        km_rate=numbers.per_km,
        travel_hourly_rate=numbers.travel_hourly,
        late_cancellation_percent=numbers.late_cancellation_percent,
    )


def _session(provider, *, starts_at, planned, status="held", late=False, outcome=None, seconds=0, km="0", travel=0,
             expenses="0") -> Appointment:  # fmt: skip
    mediator = f.MediatorFactory(provider=provider)
    request = f.MediationRequestFactory(status="scheduled", assigned_mediator=mediator)
    appointment = Appointment.objects.create(
        request=request,
        mediator=mediator,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=planned),
        status=status,
        late_cancellation=late,
        created_by=request.requester,
    )
    if outcome:
        SessionReport.objects.create(
            appointment=appointment,
            started_at=starts_at,
            ended_at=starts_at + timedelta(seconds=seconds or 60),
            outcome=outcome,
            travel_km=D(km),
            travel_minutes=travel,
            expenses=D(expenses),
            expenses_note="Biglietto" if D(expenses) else "",
            written_by=request.requester,
        )
    return appointment


@pytest.mark.django_db
def test_the_database_agrees_with_the_pure_function_on_every_case():
    start = datetime(2026, 3, 10, 9, 0, tzinfo=ROME)
    expected = {}
    for index, (
        case,
        status,
        late,
        outcome,
        planned,
        seconds,
        km,
        travel,
        expenses,
        rate,
        billing,
        _m,
        cost,
    ) in enumerate(CASES):
        provider = f.ProviderFactory()
        if rate is not None:
            _rate(provider, rate)
        appointment = _session(
            provider,
            starts_at=start + timedelta(days=index),
            planned=planned,
            status=status,
            late=late,
            outcome=outcome,
            seconds=seconds,
            km=km,
            travel=travel,
            expenses=expenses,
        )
        expected[appointment.pk] = (case, billing, None if cost is None else D(cost))
    rows = annotate_costs(Appointment.objects.filter(pk__in=expected))
    got = {row.pk: (expected[row.pk][0], row.billing, row.cost) for row in rows}
    assert got == expected
    for row in rows:
        assert row.cost is None or row.cost == row.cost.quantize(D("0.01"))


@pytest.mark.django_db
def test_the_database_gives_hours_km_and_expenses_of_each_session():
    provider = f.ProviderFactory()
    _rate(provider, RATE)
    appointment = _session(
        provider,
        starts_at=datetime(2026, 3, 10, 9, 0, tzinfo=ROME),
        planned=60,
        outcome="held",
        seconds=75 * 60,
        km="12.5",
        travel=25,
        expenses="3.40",
    )
    row = annotate_costs(Appointment.objects.filter(pk=appointment.pk)).get()
    assert (row.minutes, row.hours, row.km, row.paid_travel_minutes, row.paid_expenses) == (
        75,
        D("1.25"),
        D("12.5"),
        25,
        D("3.40"),
    )
    assert row.hourly_rate == D("21.50")


@pytest.mark.django_db
def test_the_rate_valid_on_the_italian_day_of_the_session_applies():
    provider = f.ProviderFactory()
    _rate(provider, RateNumbers(hourly=D("20.00")), valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31))
    _rate(provider, RateNumbers(hourly=D("24.00")), valid_from=date(2026, 1, 1))
    # 00:30 in Rome on 1 January is still 31 December in UTC: the new year's rate applies.
    new_year = _session(provider, starts_at=datetime(2026, 1, 1, 0, 30, tzinfo=ROME), planned=60, outcome="held",
                        seconds=3600)  # fmt: skip
    old_year = _session(provider, starts_at=datetime(2025, 12, 31, 23, 0, tzinfo=ROME), planned=60, outcome="held",
                        seconds=3600)  # fmt: skip
    costs = dict(annotate_costs(Appointment.objects.all()).values_list("pk", "cost"))
    assert costs == {new_year.pk: D("24.00"), old_year.pk: D("20.00")}


@pytest.mark.django_db
def test_a_session_after_the_rate_ended_has_no_cost_and_sums_leave_it_out():
    provider = f.ProviderFactory()
    _rate(provider, RateNumbers(hourly=D("20.00")), valid_from=date(2025, 1, 1), valid_until=date(2025, 6, 30))
    _session(provider, starts_at=datetime(2025, 6, 30, 10, 0, tzinfo=ROME), planned=60, outcome="held", seconds=3600)
    _session(provider, starts_at=datetime(2025, 7, 1, 10, 0, tzinfo=ROME), planned=60, outcome="held", seconds=3600)
    totals = cost_totals(Appointment.objects.all())
    assert (totals["sessions"], totals["cost"], totals["minutes"]) == (2, D("20.00"), 120)
    assert cost_totals(Appointment.objects.none())["cost"] == D("0.00")


@pytest.mark.django_db
def test_costs_add_up_by_mediator_in_the_database():
    provider = f.ProviderFactory()
    _rate(provider, RATE)
    start = datetime(2026, 3, 10, 9, 0, tzinfo=ROME)
    one = _session(provider, starts_at=start, planned=60, outcome="held", seconds=3600)
    _session(provider, starts_at=start, planned=90, status="cancelled", late=True)
    rows = annotate_costs(Appointment.objects.all()).values("mediator__provider_id").annotate(total=Sum("cost"))
    assert [(row["mediator__provider_id"], row["total"]) for row in rows] == [(one.mediator.provider_id, D("53.75"))]


def test_minutes_are_whole_seconds_rounded_half_up():
    start = datetime(2026, 3, 10, 9, 0, 0, 900000, tzinfo=ROME)
    assert minutes_between(start, start + timedelta(seconds=89)) == 1
    assert minutes_between(start.replace(microsecond=0), start.replace(microsecond=0) + timedelta(seconds=90)) == 2


# --- A page's few lines are priced in Python (timesheets.costs.priced): the same numbers as the database's ---------


def _both_ways(appointments) -> tuple[dict, dict]:
    """Each appointment's numbers as the database computes them and as a sheet's line does (its rate read with it)."""
    in_sql = {
        row.pk: (row.billing, int(row.minutes or 0), row.hours or D("0.00"), row.km or D("0.0"),
                 int(row.paid_travel_minutes or 0), row.paid_expenses or D("0.00"), row.cost)
        for row in annotate_costs(appointments)
    }  # fmt: skip
    in_python = {}
    for row in annotate_rates(appointments).select_related("report"):
        cost = priced(row, report_of(row))
        in_python[row.pk] = (cost.billing, cost.minutes, cost.hours, cost.km, cost.travel_minutes, cost.expenses,
                             cost.cost)  # fmt: skip
    return in_sql, in_python


def _grouped_both_ways(appointments) -> tuple[list, list]:
    """A month's sums by provider and billing rule (timesheets.costs.grouped_costs) summed by the database and in
    Python, in the same order."""
    in_sql = (
        annotate_costs(appointments)
        .values("mediator__provider_id", "billing")
        .annotate(n=Count("pk"), total_minutes=Sum("minutes"), total_km=Sum("km"), total_cost=Sum("cost"))
        .order_by()
    )

    def summed(rows):
        return sorted(
            (row["mediator__provider_id"], row["billing"], row["n"], int(row["total_minutes"] or 0),
             D(row["total_km"] or 0), None if row["total_cost"] is None else D(row["total_cost"]))
            for row in rows
        )  # fmt: skip

    return summed(in_sql), summed(grouped_costs(appointments, ("mediator__provider_id",)))


@pytest.mark.django_db
def test_a_sheets_lines_priced_in_python_agree_with_the_database_on_every_case():
    start = datetime(2026, 3, 10, 9, 0, tzinfo=ROME)
    for index, (_case, status, late, outcome, planned, seconds, km, travel, expenses, rate, *_rest) in enumerate(CASES):
        provider = f.ProviderFactory()
        if rate is not None:
            _rate(provider, rate)
        _session(provider, starts_at=start + timedelta(days=index), planned=planned, status=status, late=late,
                 outcome=outcome, seconds=seconds, km=km, travel=travel, expenses=expenses)  # fmt: skip
    in_sql, in_python = _both_ways(Appointment.objects.all())
    assert len(in_python) == len(CASES)
    assert in_python == in_sql
    summed_in_sql, summed_in_python = _grouped_both_ways(Appointment.objects.all())
    assert sum(n for _provider, _billing, n, *_sums in summed_in_python) == len(CASES)
    assert summed_in_python == summed_in_sql


@pytest.mark.django_db
def test_a_line_takes_the_rate_of_its_day_in_italy_around_midnight_and_across_a_change_of_rate():
    provider = f.ProviderFactory()
    _rate(provider, RATE, valid_from=date(2026, 1, 1), valid_until=date(2026, 3, 31))
    _rate(provider, ODD, valid_from=date(2026, 4, 1), valid_until=date(2026, 4, 30))
    # 31 March at 23:30 in Rome is still March (21:30 UTC); 1 April at 00:30 is April though still 31 March in UTC;
    # May has no rate.
    last_of_march = _session(provider, starts_at=datetime(2026, 3, 31, 23, 30, tzinfo=ROME), planned=20)
    first_of_april = _session(provider, starts_at=datetime(2026, 4, 1, 0, 30, tzinfo=ROME), planned=20)
    in_may = _session(provider, starts_at=datetime(2026, 5, 4, 10, 0, tzinfo=ROME), planned=20)
    numbers = dict(annotate_rates(Appointment.objects.all()).values_list("pk", "rate_numbers"))
    assert [D(n) for n in numbers[last_of_march.pk].split("|")[:3]] == [RATE.hourly, RATE.per_km, RATE.travel_hourly]
    assert [D(n) for n in numbers[first_of_april.pk].split("|")[:3]] == [ODD.hourly, ODD.per_km, ODD.travel_hourly]
    assert numbers[in_may.pk] is None
    in_sql, in_python = _both_ways(Appointment.objects.all())
    assert in_python == in_sql
    # Read inside another query (its table under another alias there), the rate is still the appointment's own.
    with_a_rate = annotate_rates(Appointment.objects.all()).filter(rate_numbers__isnull=False).values("pk")
    assert set(Appointment.objects.filter(pk__in=with_a_rate).values_list("pk", flat=True)) == {
        last_of_march.pk,
        first_of_april.pk,
    }


SESSIONS = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["planned", "held", "no_show", "cancelled", "void"]),
        "late": st.booleans(),
        "outcome": st.sampled_from([None, "held", "partly", "family_absent", "mediator_absent", "cancelled_late"]),
        "planned": st.integers(min_value=1, max_value=600),
        "seconds": st.integers(min_value=1, max_value=10 * 3600),
        "km": st.decimals(min_value=0, max_value=2000, places=1),
        "travel": st.integers(min_value=0, max_value=1440),
        "expenses": st.decimals(min_value=0, max_value=10000, places=2),
        # Midnights and the two nights the clocks change in Rome, where the rate's day is easiest to get wrong.
        "starts_at": st.sampled_from(
            [datetime(2025, 12, 31, 23, 30), datetime(2026, 1, 1, 0, 15), datetime(2026, 3, 29, 1, 59),
             datetime(2026, 3, 29, 3, 0), datetime(2026, 10, 25, 2, 30), datetime(2026, 6, 30, 23, 59, 59)]
        ).map(lambda moment: moment.replace(tzinfo=ROME)),
    }
)  # fmt: skip
RATES = st.one_of(
    st.none(),
    st.builds(
        RateNumbers,
        hourly=st.decimals(min_value=0, max_value=9999, places=2),
        per_km=st.decimals(min_value=0, max_value=999, places=2),
        travel_hourly=st.decimals(min_value=0, max_value=9999, places=2),
        late_cancellation_percent=st.integers(min_value=0, max_value=100),
    ),
)


@pytest.mark.django_db
def test_any_sessions_and_rates_cost_the_same_in_python_as_in_the_database():
    """Random sessions, reports and rates (some changing on 1 January, some ending on 30 June): every number of a line
    priced in Python equals the database's."""

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(sessions=st.lists(SESSIONS, min_size=1, max_size=6), rates=st.lists(RATES, min_size=1, max_size=2))
    def check(sessions, rates):
        provider = f.ProviderFactory()
        periods = [(date(2020, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), None)]
        if len(rates) == 1:
            periods = [(date(2020, 1, 1), date(2026, 6, 30))]
        for numbers, (valid_from, valid_until) in zip(rates, periods, strict=False):
            if numbers is not None:
                _rate(provider, numbers, valid_from=valid_from, valid_until=valid_until)
        made = [
            _session(provider, starts_at=s["starts_at"], planned=s["planned"], status=s["status"], late=s["late"],
                     outcome=s["outcome"], seconds=s["seconds"], km=str(s["km"]), travel=s["travel"],
                     expenses=str(s["expenses"])).pk
            for s in sessions
        ]  # fmt: skip
        in_sql, in_python = _both_ways(Appointment.objects.filter(pk__in=made))
        assert len(in_python) == len(sessions)
        assert in_python == in_sql
        summed_in_sql, summed_in_python = _grouped_both_ways(Appointment.objects.filter(pk__in=made))
        assert summed_in_python == summed_in_sql

    check()
