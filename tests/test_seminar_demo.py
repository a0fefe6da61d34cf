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
