"""What the README promises about the demo's week, as checks shared by tests/test_requests_demo.py and
tests/test_any_day.py (which runs them with the clock frozen on every day of a week, late on a Sunday, on 31 December
and on the nights the clocks change).

"`mediatore.cremona` has held sessions last week and planned ones this week and next on requests of
`assistente.cremona`, and a weekly series (Tuesdays at 16:00 for six weeks) on one of them." On a Sunday no day of the
week is left for a planned session: this week's sessions are then the ones held since Monday (the README says so).
"""

from datetime import date, time, timedelta

from django.utils import timezone

from scheduling.models import LIVE_APPOINTMENT, Appointment, AppointmentSeries

SHOWCASE_MEDIATOR = "mediatore.cremona@example.org"
SHOWCASE_REQUESTER = "assistente.cremona@example.org"
SERIES_TIME = time(16, 0)
TUESDAY = 1


def showcase_appointments():
    return Appointment.objects.filter(
        mediator__user__email=SHOWCASE_MEDIATOR, request__requester__email=SHOWCASE_REQUESTER
    )


def local_days(appointments) -> list[date]:
    return sorted(timezone.localdate(a.starts_at) for a in appointments)


def week_of(today: date) -> tuple[date, date, date]:
    """The Mondays of last week, this week and next week."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=1), monday, monday + timedelta(weeks=1)


def assert_held_last_week_planned_this_week_and_next() -> None:
    now, today = timezone.now(), timezone.localdate()
    last_monday, monday, next_monday = week_of(today)
    mine = showcase_appointments()
    held = local_days(mine.filter(status=Appointment.Status.HELD, ends_at__lte=now))
    planned = local_days(mine.filter(status=Appointment.Status.PLANNED, starts_at__gt=now))
    assert len([d for d in held if last_monday <= d < monday]) >= 2, (today, held)
    assert [d for d in planned if next_monday <= d < next_monday + timedelta(weeks=1)], (today, planned)
    this_week_planned = [d for d in planned if d < next_monday]
    if today.weekday() < 6:
        # Monday to Saturday: something is still planned later this week (on the weekend once Friday has come).
        assert this_week_planned, (today, planned)
        assert all(d > today for d in this_week_planned), (today, this_week_planned)
    else:
        # A Sunday: the week's sessions were held since Monday; the next planned one is tomorrow's.
        assert [d for d in held if monday <= d < today], (today, held)
        assert planned[0] == today + timedelta(days=1), (today, planned)
    # Planned sessions fall on working days, except the week's last one once Friday has come.
    weekend = [d for d in planned if d.weekday() >= 5]
    assert all(today.weekday() >= 4 and d < next_monday for d in weekend), (today, weekend)


def assert_the_weekly_series_is_on_tuesdays_at_16() -> None:
    now, today = timezone.now(), timezone.localdate()
    series = AppointmentSeries.objects.select_related("request__requester", "mediator__user").get()
    assert series.request.requester.email == SHOWCASE_REQUESTER
    assert series.mediator.user.email == SHOWCASE_MEDIATOR
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert len(occurrences) >= 4, occurrences
    local = [timezone.localtime(a.starts_at) for a in occurrences]
    # 16:00 Italian time in winter and in summer alike, every Tuesday, one week apart, all still to come.
    assert {moment.time() for moment in local} == {SERIES_TIME}, local
    assert {moment.weekday() for moment in local} == {TUESDAY}, local
    assert all((b.date() - a.date()).days % 7 == 0 for a, b in zip(local, local[1:], strict=False)), local
    assert {a.status for a in occurrences} == {Appointment.Status.PLANNED}
    assert all(a.starts_at > now for a in occurrences)
    assert local[0].date() >= week_of(today)[2] + timedelta(weeks=1), (today, local[0])
    assert timezone.localtime(series.first_starts_at).time() == SERIES_TIME
    assert series.first_starts_at <= occurrences[0].starts_at
    assert series.until >= local[-1].date()


def assert_no_mediator_is_in_two_places_at_once(travel_buffer_minutes: int) -> None:
    """No two live appointments of a mediator overlap, and between two in-person ones at different places there is
    the travel buffer."""
    buffer = timedelta(minutes=travel_buffer_minutes)
    by_mediator: dict[int, list[Appointment]] = {}
    for appointment in Appointment.objects.filter(LIVE_APPOINTMENT).order_by("starts_at"):
        by_mediator.setdefault(appointment.mediator_id, []).append(appointment)
    for appointments in by_mediator.values():
        for before, after in zip(appointments, appointments[1:], strict=False):
            assert before.ends_at <= after.starts_at, (before, after)
            if before.mode == after.mode == "in_person" and before.place.lower() != after.place.lower():
                assert before.ends_at + buffer <= after.starts_at, (before, after)
