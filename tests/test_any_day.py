"""The demo and the portal's date arithmetic hold on any day and at any hour (issue #13).

The clock is frozen (time_machine, not ticking) at each day of one week at a working hour, late on a Sunday, on
31 December and 1 January, and on both nights the clocks change in Italy (28 March 2027: 2:00 becomes 3:00;
31 October 2027: 2:30 comes twice). At each moment the demo is loaded once (`manage.py demo_data`, as `make demo`
does) and every date-sensitive promise is checked on it: the README's week of `mediatore.cremona`, the weekly series,
nothing past still planned and nothing to come already held, the history, offers, reports and timesheets all in the
past, the reminders after 48 hours, the qualifications expiring within 30 days, the calendar's week and the ICS feed,
the report's period, and a second load giving the same rows.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Membership, Role, User
from accounts.scoping import actor_for
from mediators.models import Mediator, Qualification
from mediators.selectors import EXPIRY_WINDOW_DAYS
from mediazione.home import dashboard_expiring_qualifications
from mediazione.management.commands import demo_data
from reporting.models import ReportJob
from requests_app.models import Comment, MediationRequest, Status, StatusChange, Urgency
from scheduling.models import Appointment, Offer
from sessions_app.models import SessionReport
from timesheets import months as timesheet_months
from timesheets import services as timesheet_services
from timesheets.models import Reminder, Timesheet

from . import demo_promises
from .conftest import login_client

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def rome(*args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ROME, fold=fold)


MOMENTS = {
    # The week of 3 December 2026, the Thursday issue #13 was found on, at 10:00.
    "monday": rome(2026, 11, 30, 10, 0),
    "tuesday": rome(2026, 12, 1, 10, 0),
    "wednesday": rome(2026, 12, 2, 10, 0),
    "thursday": rome(2026, 12, 3, 10, 0),
    "friday": rome(2026, 12, 4, 10, 0),
    "saturday": rome(2026, 12, 5, 10, 0),
    "sunday": rome(2026, 12, 6, 10, 0),
    "sunday-23:30": rome(2026, 12, 6, 23, 30),
    "31-december-23:30": rome(2026, 12, 31, 23, 30),
    "1-january-00:30": rome(2027, 1, 1, 0, 30),
    # 28 March 2027: at 2:00 the clocks jump to 3:00. A minute before, and half an hour after.
    "summer-time-01:59": datetime(2027, 3, 28, 0, 59, tzinfo=UTC),
    "summer-time-03:30": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    # 31 October 2027: 2:30 happens twice, first in summer time (+02:00), then in winter time (+01:00).
    "winter-time-02:30-first": rome(2027, 10, 31, 2, 30, fold=0),
    "winter-time-02:30-again": rome(2027, 10, 31, 2, 30, fold=1),
}


def test_the_moments_are_the_ones_meant():
    assert [moment.weekday() for moment in list(MOMENTS.values())[:7]] == list(range(7))
    assert MOMENTS["summer-time-01:59"].astimezone(ROME).utcoffset() == timedelta(hours=1)
    assert MOMENTS["summer-time-03:30"].astimezone(ROME).utcoffset() == timedelta(hours=2)
    assert (
        MOMENTS["winter-time-02:30-again"].astimezone(UTC) - MOMENTS["winter-time-02:30-first"].astimezone(UTC)
    ) == timedelta(hours=1)


def snapshot() -> dict:
    rows = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (MediationRequest, StatusChange, Comment, Offer, Appointment, Timesheet, Mediator, Qualification)
    }
    # The demo writes its session reports again on every load (they protect the appointments it may move): the same
    # reports, under new ids.
    reports = SessionReport.objects.order_by("appointment_id").values()
    rows["SessionReport"] = [{k: v for k, v in report.items() if k != "id"} for report in reports]
    return rows


# --- The checks, each on the demo loaded at the frozen moment -------------------------------------------------------


def check_the_readme_week():
    demo_promises.assert_held_last_week_planned_this_week_and_next()


def check_the_weekly_series():
    demo_promises.assert_the_weekly_series_is_on_tuesdays_at_16()


def check_appointments_are_on_the_right_side_of_now():
    now = timezone.now()
    assert not Appointment.objects.filter(status=Appointment.Status.PLANNED, starts_at__lte=now).exists()
    assert not Appointment.objects.filter(status__in=["held", "no_show"], ends_at__gt=now).exists()
    assert not Appointment.objects.filter(cancelled_at__gt=now).exists()
    for request in MediationRequest.objects.filter(status=Status.SCHEDULED).prefetch_related("appointments"):
        assert any(a.status == "planned" for a in request.appointments.all()), request


def check_no_mediator_is_in_two_places_at_once(settings):
    demo_promises.assert_no_mediator_is_in_two_places_at_once(settings.TRAVEL_BUFFER_MINUTES)


def check_the_past_is_past():
    """What already happened (filing, steps, comments, answers, reports, timesheets) happened before now."""
    now = timezone.now()
    assert not MediationRequest.objects.filter(created_at__gt=now).exists()
    assert not MediationRequest.objects.filter(submitted_at__gt=now).exists()
    assert not StatusChange.objects.filter(at__gt=now).exists()
    assert not Comment.objects.filter(created_at__gt=now).exists()
    assert not Offer.objects.filter(answered_at__gt=now).exists()
    assert not Offer.objects.filter(created_at__gt=now).exists()
    for field in ("submitted_at", "confirmed_at", "validated_at", "sent_back_at"):
        assert not SessionReport.objects.filter(**{f"{field}__gt": now}).exists(), field
    assert not SessionReport.objects.filter(appointment__starts_at__gt=now).exists()
    for field in ("submitted_at", "sent_back_at", "approved_at"):
        assert not Timesheet.objects.filter(**{f"{field}__gt": now}).exists(), field


def check_what_waits_is_still_waiting():
    now, today = timezone.now(), timezone.localdate()
    matching = Offer.objects.filter(request__status=Status.MATCHING)
    assert matching.filter(status=Offer.Status.OPEN).exists()
    assert not matching.filter(status=Offer.Status.OPEN, expires_at__lte=now).exists()
    assert not matching.filter(status=Offer.Status.QUEUED, release_at__lte=now).exists()
    urgent_open = MediationRequest.objects.filter(
        urgency=Urgency.URGENT, status__in=[Status.SUBMITTED, Status.MATCHING, Status.ASSIGNED, Status.SCHEDULED]
    )
    assert not urgent_open.filter(deadline__lt=today).exists()


def check_timesheets_cover_finished_months():
    """The two months before the current one (counted from yesterday: on the 1st the month just ended is still
    open), each submitted after its month was over."""
    today = timezone.localdate()
    sheets = list(Timesheet.objects.all())
    assert {sheet.status for sheet in sheets} >= {Timesheet.Status.APPROVED, Timesheet.Status.SUBMITTED}
    for sheet in sheets:
        assert sheet.month < timesheet_months.first_of(today), sheet
        assert timesheet_months.month_is_over(sheet.month, timezone.localdate(sheet.submitted_at)), sheet
        if sheet.approved_at:
            assert sheet.submitted_at <= sheet.approved_at, sheet


def check_reminders_wait_48_hours_and_stop_after_30_days():
    now = timezone.now()
    mail.outbox.clear()
    sent = timesheet_services.reminders_missing_reports(now=now)
    reminded = Appointment.objects.filter(pk__in=Reminder.objects.values("appointment_id"))
    assert sent == len(mail.outbox)
    assert sent == reminded.values("mediator").distinct().count()
    for appointment in reminded:
        assert now - timedelta(days=30) <= appointment.starts_at <= now - timedelta(hours=48), appointment
    assert set(Reminder.objects.values_list("sent_on", flat=True)) <= {timezone.localdate(now)}
    # A second run in the same hour reminds nobody again.
    assert timesheet_services.reminders_missing_reports(now=now) == 0


def check_expiring_qualifications_are_within_30_days():
    today = timezone.localdate()
    coordinator = User.objects.get(email="coordinatore.cremona@example.org")
    listed = dashboard_expiring_qualifications(actor=actor_for(coordinator))
    assert listed, "the demo has qualifications about to expire"
    window = timedelta(days=EXPIRY_WINDOW_DAYS)
    assert all(today - window <= q.expires_on <= today + window for q in listed), listed
    assert any(today <= q.expires_on for q in listed), listed


def check_the_calendar_shows_this_week_and_next():
    today = timezone.localdate()
    _last, monday, next_monday = demo_promises.week_of(today)
    mediator = User.objects.get(email=demo_promises.SHOWCASE_MEDIATOR)
    client = login_client(mediator)
    mine = demo_promises.showcase_appointments().exclude(status=Appointment.Status.VOID)

    response = client.get(reverse("scheduling:calendar"))
    assert response.status_code == 200
    days = [day for week in response.context["weeks"] for day in week]
    assert [day["date"] for day in days] == [monday + timedelta(days=n) for n in range(7)]
    assert [day["date"] for day in days if day["is_today"]] == [today]
    shown = {a.pk for day in days for a in day["appointments"]}
    this_week = {a.pk for a in mine if monday <= timezone.localdate(a.starts_at) < next_monday}
    assert this_week and this_week <= shown

    response = client.get(reverse("scheduling:calendar"), {"data": next_monday.isoformat()})
    days = [day for week in response.context["weeks"] for day in week]
    assert days[0]["date"] == next_monday
    shown = {a.pk for day in days for a in day["appointments"]}
    assert {a.pk for a in mine.filter(status=Appointment.Status.PLANNED)} & shown


def check_the_ics_feed_has_what_is_coming_at_italian_times():
    now = timezone.now()
    profile = Mediator.objects.get(user__email=demo_promises.SHOWCASE_MEDIATOR)
    if not profile.calendar_token:
        Mediator.objects.filter(pk=profile.pk).update(calendar_token="any-day-test-token")
        profile.refresh_from_db()
    response = login_client(profile.user).get(reverse("scheduling:calendar_feed", args=[profile.calendar_token]))
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    starts = {event.decoded("dtstart") for event in events}
    upcoming = profile.appointments.filter(status=Appointment.Status.PLANNED, starts_at__gt=now)
    assert upcoming.exists()
    assert {a.starts_at for a in upcoming} <= starts
    series = [a.starts_at for a in upcoming.filter(series__isnull=False)]
    assert series and all(s.astimezone(ROME).hour == 16 for s in series)


def check_the_report_covers_this_year_until_today():
    today = timezone.localdate()
    job = ReportJob.objects.get(requested_by__email="provincia.cremona@example.org")
    assert job.status == ReportJob.Status.DONE
    assert (job.date_from, job.date_to) == (date(today.year, 1, 1), today)


def check_a_second_load_gives_the_same_rows(settings):
    first = snapshot()
    call_command("demo_data", stdout=_Quiet())
    assert snapshot() == first


# A second load at the same moment must change nothing: tried at the moments whose dates are awkward (the week's
# turning days, midnight, the new year, both nights the clocks change); the plain working days at 10:00 repeat them.
SECOND_LOAD_AT = {
    MOMENTS[name]
    for name in (
        "thursday",
        "sunday-23:30",
        "31-december-23:30",
        "1-january-00:30",
        "summer-time-01:59",
        "summer-time-03:30",
        "winter-time-02:30-first",
        "winter-time-02:30-again",
    )
}
# The plain working days at 10:00 try the portal's own date arithmetic, done in Python and the same on every database:
# they run on SQLite. The awkward moments try the database's too (the day of a timestamp at midnight, at the new year,
# on the nights the clocks change; a Thursday, issue #13's day, with them) and run on PostgreSQL as well.
ON_EVERY_DATABASE = SECOND_LOAD_AT
CHECKS = [
    check_the_readme_week,
    check_the_weekly_series,
    check_appointments_are_on_the_right_side_of_now,
    check_no_mediator_is_in_two_places_at_once,
    check_the_past_is_past,
    check_what_waits_is_still_waiting,
    check_timesheets_cover_finished_months,
    check_expiring_qualifications_are_within_30_days,
    check_the_calendar_shows_this_week_and_next,
    check_the_ics_feed_has_what_is_coming_at_italian_times,
    check_the_report_covers_this_year_until_today,
    # Last: it writes reminders, and the second load must find the rows the first one wrote.
    check_a_second_load_gives_the_same_rows,
    check_reminders_wait_48_hours_and_stop_after_30_days,
]


class _Quiet:
    def write(self, *_args, **_kwargs):
        pass

    def flush(self):
        pass


@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_the_demo_keeps_its_promises_at_any_moment(moment, settings, monkeypatch):
    """One load of the demo per moment (it takes seconds), then every check on it; all failures are reported. The
    printed booklets are left out: their PDFs hold no date of the clock's (tests/test_guide_demo.py builds them)."""
    if moment not in ON_EVERY_DATABASE and connection.vendor != "sqlite":
        pytest.skip("a plain working day at 10:00: the same date arithmetic on every database, tried on SQLite")
    settings.DEBUG = True
    monkeypatch.setattr(demo_data, "BUILDERS", [b for b in demo_data.BUILDERS if b not in demo_data.PRINTED])
    failures = []
    with time_machine.travel(moment, tick=False):
        # In UTC: Python never finds a second pass of 2:30 (fold=1) equal to a time of another zone (PEP 495).
        assert timezone.now() == moment.astimezone(UTC)
        call_command("demo_data", stdout=_Quiet())
        assert Membership.objects.filter(role=Role.MEDIATOR).exists()
        for check in CHECKS:
            if check is check_a_second_load_gives_the_same_rows and moment not in SECOND_LOAD_AT:
                continue
            needs_settings = "settings" in check.__code__.co_varnames[: check.__code__.co_argcount]
            try:
                check(settings) if needs_settings else check()
            except AssertionError as error:
                failures.append(f"{check.__name__}: {error}")
    assert not failures, "\n".join(failures)
