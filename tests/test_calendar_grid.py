"""The month calendar's grid is written by Python (scheduling/templatetags/calendar_grid.py) exactly as its template
wrote it: that template is kept as the reference (tests/calendar_month_reference.html, with the appointment's and
the "more" templates the week still uses), and both write the same months, a mediator's own and a district's (all
of it, or one mediator's), in Italian and in English. A calendar reads only what its appointments show."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.template import Context
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from scheduling.models import Appointment
from scheduling.templatetags.calendar_grid import calendar_month_grid

from . import factories as f
from .conftest import login_client
from .reference_html import normal, reference

REFERENCE = reference("calendar_month_reference.html")
ROME = ZoneInfo("Europe/Rome")
# A Tuesday in March 2026: its grid runs from Monday 23 February to Sunday 5 April, summer time starts on the 29th.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ROME)


@pytest.fixture
def month(db):
    """A district's March: a mediator's own appointments and a colleague's, of every kind: cancelled (and void, left
    out), with a place or only a mode, requests of one or two languages, a day with one more than a day shows (the
    mediator's) and a day with two more (the colleague's), an evening that runs into the grid's first day, the first
    day of summer time."""
    with time_machine.travel(NOW, tick=False):
        district = f.DistrictFactory(name="Cremona")
        office = f.OfficeFactory(district=district)
        provider = f.ProviderFactory(province=district.province)
        coordinator = f.coordinator(district=district)
        user = f.mediator(provider=provider, districts=[district])
        own = f.MediatorFactory(provider=provider, districts=[district], user=user, email=user.email,
                                first_name="Samira", last_name="<b>Haddad</b>")  # fmt: skip
        colleague = f.MediatorFactory(provider=provider, districts=[district], first_name='Amina "A."',
                                      last_name="Collega & co")  # fmt: skip
        one = f.MediationRequestFactory(office=office, status="scheduled", case_code='CR-<1>&"a"',
                                        languages=["ara:Darija & <marocchino>", "fra"])  # fmt: skip
        two = f.MediationRequestFactory(office=office, status="scheduled", case_code="CR-2", languages=["ukr"])

        def book(mediator, request, day, hour, minute=0, **fields):
            starts = datetime(2026, *day, hour, minute, tzinfo=ROME)
            return Appointment.objects.create(request=request, mediator=mediator, starts_at=starts,
                                              ends_at=starts + timedelta(minutes=45), created_by=coordinator,
                                              **fields)  # fmt: skip

        book(own, one, (2, 22), 23, 30)  # the evening before the grid's first day, till after midnight
        book(own, one, (3, 2), 9, place='Via Dante 12 & "Corte" <B>')
        book(own, two, (3, 2), 11, mode="phone")
        book(own, one, (3, 3), 15, status="cancelled", place="Sala 1")
        book(own, one, (3, 3), 16, status="void")
        book(colleague, two, (3, 4), 10, mode="video", status="held")
        for n in range(5):  # Thursday 5: one more than a day shows
            book(own, one if n % 2 else two, (3, 5), 8 + n)
        for n in range(6):  # Friday 6: two more
            book(colleague, two, (3, 6), 8 + n, 30)
        book(own, one, (3, 10), 18)  # today
        book(own, two, (3, 29), 10)  # the first day of summer time
        book(colleague, one, (4, 1), 9)  # April, in the grid's last week
    return {"coordinator": coordinator, "mediator": user, "colleague": colleague}


def _page(user, **params):
    with time_machine.travel(NOW, tick=False):
        response = login_client(user).get(reverse("scheduling:calendar"), {"vista": "mese", **params})
    assert response.status_code == 200 and not response.context["summary"]
    return response


@pytest.mark.parametrize("who", ["mediator", "coordinator", "chosen"])
@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_day_is_written_as_the_template_wrote_it(month, who, language):
    params = {"mediatore": month["colleague"].pk} if who == "chosen" else {}
    response = _page(month["mediator" if who == "mediator" else "coordinator"], **params)
    weeks, is_mediator = response.context["weeks"], response.context["is_mediator"]
    assert len(weeks) == 6 and is_mediator == (who == "mediator")
    with translation.override(language), time_machine.travel(NOW, tick=False):
        written = normal(calendar_month_grid(weeks, is_mediator))
        expected = normal(REFERENCE.render(Context({"weeks": weeks, "is_mediator": is_mediator})))
    assert normal(f'<div data-testid="calendar-month">{written}</div>') == expected
    # Four a day at most: the mediator's own 11 (one more on the 5th); the district's 19 (one more on the 5th, two on
    # the 6th); the colleague's 8 (two more on the 6th).
    items, more = {"mediator": (10, 1), "coordinator": (16, 2), "chosen": (6, 1)}[who]
    assert written.count('data-testid="calendar-item"') == items
    assert written.count('data-testid="calendar-more"') == more
    assert written.count("is-today") == 1 and written.count("other-month") == 11
    if who == "chosen":  # the day's link keeps the mediator chosen
        assert f'href="?data=2026-03-06&amp;mediatore={month["colleague"].pk}"' in written


def test_the_grid_escapes_what_it_writes_and_says_how_many_more(month):
    response = _page(month["coordinator"])
    with translation.override("it"), time_machine.travel(NOW, tick=False):
        written = calendar_month_grid(response.context["weeks"], False)
    assert "CR-&lt;1&gt;&amp;&quot;a&quot;" in written and "Via Dante 12 &amp; &quot;Corte&quot; &lt;B&gt;" in written
    assert "Amina &quot;A.&quot; Collega &amp; co" in written and "&lt;b&gt;Haddad&lt;/b&gt;" in written
    assert "Darija &amp; &lt;marocchino&gt;" in written
    assert ">altro 1: apri il giorno</a>" in written and ">altri 2: apri il giorno</a>" in written
    assert "<strong>23:30–00:15</strong>" in written and "<strong>10:00–10:45</strong>" in written  # Rome's time


def test_a_mediators_month_links_each_more_to_the_day_in_the_week_view(month):
    response = _page(month["mediator"])
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        written = calendar_month_grid(response.context["weeks"], True)
    more = '<a class="calendar-more" href="?data=2026-03-05" data-testid="calendar-more">1 more: open the day</a>'
    assert more in written
    assert "Collega" not in written  # a mediator's own calendar names no mediator


@pytest.mark.django_db
def test_an_empty_month_writes_only_its_days():
    assert calendar_month_grid([], False) == (
        '<div class="calendar-grid d-none d-md-grid mb-1" aria-hidden="true"></div>'
    )


def test_the_page_shows_the_grid(month):
    html = _page(month["mediator"]).content.decode()
    assert html.count('data-testid="calendar-item"') == 10 and 'data-testid="calendar-month"' in html


@pytest.mark.parametrize("who", ["mediator", "coordinator"])
def test_a_month_reads_only_what_its_appointments_show(month, who):
    """Times, state, place or mode, the case code (and languages, a query of their own), the mediator's name where
    the calendar names them: not the request's other columns (its goal, its notes), its office, the mediator's
    contacts and notes, nor a mediator's name in their own calendar (issue #17)."""
    client = login_client(month[who])
    with time_machine.travel(NOW, tick=False):
        client.get(reverse("scheduling:calendar"), {"vista": "mese"})
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("scheduling:calendar"), {"vista": "mese"})
    [items] = [q["sql"] for q in queries if "ROW_NUMBER() OVER" in q["sql"]]
    for column in ("goal", "sensitive_notes", "coordinator_notes", "calendar_token", "phone", "cancel_reason"):
        assert f'."{column}"' not in items
    assert '"accounts_office"."name"' not in items and '"requests_app_mediationrequest"."case_code"' in items
    assert ('"mediators_mediator"."last_name"' in items) == (who == "coordinator")
    if who == "mediator":  # their profile, for the address of their feed: not their contacts, rates, notes
        [profile] = [q["sql"] for q in queries if 'WHERE "mediators_mediator"."user_id" =' in q["sql"]]
        assert profile.startswith('SELECT "mediators_mediator"."id", "mediators_mediator"."calendar_token" FROM ')
