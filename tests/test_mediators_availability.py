"""'Is this mediator free from … to …?': weekly slots in Italian time, absences, live appointments, one query."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mediators.models import Mediator
from mediators.selectors import available_on
from scheduling.selectors import free_mediator_ids, mediator_is_free

from . import factories as f

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")
UTC = ZoneInfo("UTC")

# Monday 12 January 2026 (winter, UTC+1) and Monday 13 July 2026 (summer, UTC+2).
WINTER_MONDAY = date(2026, 1, 12)
SUMMER_MONDAY = date(2026, 7, 13)


def at(day: date, hour: int, minute: int = 0, tz=ROME) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


@pytest.fixture
def monday_morning():
    """A mediator free on Mondays from 9:00 to 13:00, Italian time."""
    return f.SlotFactory(weekday=0, start_time="09:00", end_time="13:00").mediator


def test_free_inside_a_weekly_slot(monday_morning):
    assert mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))
    assert mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 9), ends_at=at(WINTER_MONDAY, 13))


def test_not_free_when_the_appointment_runs_past_the_slot(monday_morning):
    assert not mediator_is_free(
        mediator=monday_morning, starts_at=at(WINTER_MONDAY, 12), ends_at=at(WINTER_MONDAY, 13, 30)
    )


def test_not_free_on_another_weekday(monday_morning):
    tuesday = WINTER_MONDAY + timedelta(days=1)
    assert not mediator_is_free(mediator=monday_morning, starts_at=at(tuesday, 10), ends_at=at(tuesday, 11))


def test_slots_are_italian_time_in_winter_and_in_summer(monday_morning):
    # 9:30 UTC is 10:30 in Rome in winter and 11:30 in summer: inside the slot both times.
    assert mediator_is_free(
        mediator=monday_morning, starts_at=at(WINTER_MONDAY, 9, 30, UTC), ends_at=at(WINTER_MONDAY, 10, 30, UTC)
    )
    assert mediator_is_free(
        mediator=monday_morning, starts_at=at(SUMMER_MONDAY, 9, 30, UTC), ends_at=at(SUMMER_MONDAY, 10, 30, UTC)
    )
    # 11:30 UTC is 12:30 in winter (inside) but 13:30 in summer (outside).
    assert mediator_is_free(
        mediator=monday_morning, starts_at=at(WINTER_MONDAY, 11, 0, UTC), ends_at=at(WINTER_MONDAY, 11, 30, UTC)
    )
    assert not mediator_is_free(
        mediator=monday_morning, starts_at=at(SUMMER_MONDAY, 11, 0, UTC), ends_at=at(SUMMER_MONDAY, 11, 30, UTC)
    )


def test_not_free_during_an_absence_including_its_last_day(monday_morning):
    f.AbsenceFactory(mediator=monday_morning, start_date=WINTER_MONDAY - timedelta(days=7), end_date=WINTER_MONDAY)
    assert not mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))
    next_monday = WINTER_MONDAY + timedelta(days=7)
    assert mediator_is_free(mediator=monday_morning, starts_at=at(next_monday, 10), ends_at=at(next_monday, 11))


def test_an_interval_across_midnight_or_backwards_is_never_free(monday_morning):
    f.SlotFactory(mediator=monday_morning, weekday=0, start_time="00:00", end_time="23:59")
    assert not mediator_is_free(
        mediator=monday_morning, starts_at=at(WINTER_MONDAY, 23), ends_at=at(WINTER_MONDAY + timedelta(days=1), 1)
    )
    assert not mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 11), ends_at=at(WINTER_MONDAY, 10))


def test_naive_datetimes_are_refused(monday_morning):
    with pytest.raises(ValueError):
        mediator_is_free(
            mediator=monday_morning, starts_at=datetime(2026, 1, 12, 10), ends_at=datetime(2026, 1, 12, 11)
        )


def test_many_mediators_are_answered_in_one_query(monday_morning, django_assert_num_queries):
    others = [f.SlotFactory(weekday=0).mediator for _ in range(10)]
    absent = others[0]
    f.AbsenceFactory(mediator=absent, start_date=WINTER_MONDAY, end_date=WINTER_MONDAY)
    ids = [monday_morning.pk] + [m.pk for m in others]
    with django_assert_num_queries(1):
        free = free_mediator_ids(mediator_ids=ids, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))
    assert free == set(ids) - {absent.pk}


def test_available_on_a_date_needs_a_slot_that_weekday_and_no_absence(monday_morning):
    wednesday_only = f.SlotFactory(weekday=2).mediator
    away = f.SlotFactory(weekday=0).mediator
    f.AbsenceFactory(mediator=away, start_date=WINTER_MONDAY, end_date=WINTER_MONDAY + timedelta(days=2))
    assert set(available_on(Mediator.objects.all(), WINTER_MONDAY)) == {monday_morning}
    assert set(available_on(Mediator.objects.all(), WINTER_MONDAY + timedelta(days=2))) == {wednesday_only}


# --- Appointments already booked --------------------------------------------------------------------------------------


def book(mediator, starts_at: datetime, ends_at: datetime, status: str = "planned"):
    from scheduling.models import Appointment

    request = f.MediationRequestFactory(status="scheduled")
    return Appointment.objects.create(
        request=request,
        mediator=mediator,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        created_by=request.requester,
    )


def test_not_free_when_a_live_appointment_overlaps(monday_morning):
    book(monday_morning, at(WINTER_MONDAY, 10, 30), at(WINTER_MONDAY, 11, 30))
    assert not mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))
    assert not mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 11), ends_at=at(WINTER_MONDAY, 12))


def test_an_appointment_ending_when_the_interval_starts_does_not_overlap(monday_morning):
    book(monday_morning, at(WINTER_MONDAY, 9), at(WINTER_MONDAY, 10))
    assert mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))


@pytest.mark.parametrize("status", ["cancelled", "void"])
def test_cancelled_and_void_appointments_do_not_take_the_time(monday_morning, status):
    book(monday_morning, at(WINTER_MONDAY, 10), at(WINTER_MONDAY, 11), status=status)
    assert mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))


@pytest.mark.parametrize("status", ["held", "no_show"])
def test_held_and_no_show_appointments_still_took_the_time(monday_morning, status):
    book(monday_morning, at(WINTER_MONDAY, 10), at(WINTER_MONDAY, 11), status=status)
    assert not mediator_is_free(mediator=monday_morning, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))


def test_many_mediators_with_appointments_are_answered_in_one_query(monday_morning, django_assert_num_queries):
    others = [f.SlotFactory(weekday=0).mediator for _ in range(10)]
    for mediator in others:
        book(mediator, at(WINTER_MONDAY, 12), at(WINTER_MONDAY, 13))
    booked = others[0]
    book(booked, at(WINTER_MONDAY, 10), at(WINTER_MONDAY, 11))
    ids = [monday_morning.pk] + [m.pk for m in others]
    with django_assert_num_queries(1):
        free = free_mediator_ids(mediator_ids=ids, starts_at=at(WINTER_MONDAY, 10), ends_at=at(WINTER_MONDAY, 11))
    assert free == set(ids) - {booked.pk}
