"""The demo seminar of Cremona: an edition ahead of the demo clock with a full house and a waiting list, the last
edition with check-ins that the report counts, and the same rows when built twice."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts import demo as accounts_demo
from seminar import demo as seminar_demo
from seminar import selectors
from seminar.models import Registration

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_upcoming_full_seminar_with_a_waiting_list_and_a_past_one_with_check_ins():
    accounts_demo.build()
    built = seminar_demo.build()
    upcoming, past = built["upcoming"], built["past"]
    assert upcoming.starts_at > timezone.now() > past.ends_at
    assert selectors.places(upcoming) == {"confirmed": 20, "waiting": 3, "present": 0, "free": 0}
    assert upcoming.registrations.filter(status="unconfirmed").count() == 1
    figures = selectors.figures(past.province, timezone.localdate() - dt.timedelta(days=90), timezone.localdate())
    assert (figures["registrations"], figures["attendance"]) == (18, 16)
    page = Client().get(upcoming.get_public_url())
    assert page.status_code == 200 and "Sala Maffei" in page.content.decode()
    count = Registration.objects.count()
    seminar_demo.build()
    assert Registration.objects.count() == count


@pytest.mark.parametrize(
    "today",
    [dt.date(2026, 12, 4), dt.date(2026, 7, 20), dt.date(2027, 3, 28), dt.date(2026, 9, 30)],
    ids=["three-weeks-before-christmas", "three-weeks-before-august", "a-sunday", "forty-days-after-august"],
)
def test_the_demo_seminars_fall_on_a_working_day_outside_the_holidays(today):
    import time_machine

    accounts_demo.build()
    with time_machine.travel(dt.datetime.combine(today, dt.time(10), tzinfo=dt.UTC), tick=False):
        built = seminar_demo.build()
    for seminar in built.values():
        day = timezone.localtime(seminar.starts_at).date()
        assert day.weekday() in (1, 2, 3), day
        assert day.month != 8 and not (day.month == 12 and day.day >= 20) and not (day.month == 1 and day.day <= 6), day
    assert (
        timezone.localtime(built["upcoming"].starts_at).date()
        > today
        > timezone.localtime(built["past"].starts_at).date()
    )
