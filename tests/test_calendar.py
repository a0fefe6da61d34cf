"""Calendars: the agenda (week and month) by role, and the personal ICS feed."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Provider
from accounts.scoping import actor_for
from core.errors import NotAllowed
from mediators.services import mediator_calendar_token_reset
from scheduling.models import Appointment

from . import factories as f
from .conftest import login_client

ROME = ZoneInfo("Europe/Rome")
# A Monday in winter (UTC+1) with a fixed week: 2026-03-02 … 2026-03-08.
MONDAY = datetime(2026, 3, 2, tzinfo=ROME).date()


@pytest.fixture
def world(demo_world):
    users = demo_world["users"]
    office = users["assistente.cremona"].memberships.get().office
    crema_office = users["assistente.crema"].memberships.get().office
    cremona = office.district
    provider = Provider.objects.get(province=cremona.province)
    own = f.MediatorFactory(
        provider=provider, districts=[cremona], user=users["mediatore.cremona"], email="mediatore.cremona@example.org"
    )
    colleague = f.MediatorFactory(provider=provider, districts=[cremona], first_name="Amina", last_name="Collega")
    crema_mediator = f.MediatorFactory(provider=provider, districts=[crema_office.district], last_name="Cremasco")
    request = f.MediationRequestFactory(
        office=office,
        status="scheduled",
        case_code="TM-CAL-1",
        goal="Obiettivo segreto della mediazione.",
        sensitive_notes="Nota riservatissima.",
        languages=["ara:Darija"],
    )
    crema_request = f.MediationRequestFactory(office=crema_office, status="scheduled", case_code="CR-CAL-1")
    return {
        "users": users,
        "own": own,
        "colleague": colleague,
        "crema_mediator": crema_mediator,
        "request": request,
        "crema_request": crema_request,
    }


def appointment(world, mediator, starts_at, *, request=None, status="planned", hours=1, place="Via Dante 134, Cremona"):
    return Appointment.objects.create(
        request=request or world["request"],
        mediator=mediator,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place=place,
        status=status,
        created_by=world["users"]["coordinatore.cremona"],
    )


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def week_page(world, who, **params):
    return login_client(world["users"][who]).get(reverse("scheduling:calendar"), params)


# --- The agenda -------------------------------------------------------------------------------------------------------


def test_a_mediator_sees_only_their_own_appointments_in_the_week(world):
    appointment(world, world["own"], at(MONDAY, 10))
    appointment(world, world["colleague"], at(MONDAY + timedelta(days=1), 11))
    response = week_page(world, "mediatore.cremona", data=MONDAY.isoformat())
    assert response.status_code == 200
    items = response.content.decode().count('data-testid="calendar-item"')
    assert items == 1
    assert "10:00" in response.content.decode()  # Europe/Rome, not UTC (09:00)
    assert "Collega" not in response.content.decode()


def test_the_week_has_seven_days_from_monday(world):
    response = week_page(world, "mediatore.cremona", data=(MONDAY + timedelta(days=3)).isoformat())
    assert [cell["date"] for cell in response.context["weeks"][0]] == [MONDAY + timedelta(days=i) for i in range(7)]


def test_a_coordinator_sees_the_district_with_mediator_names_and_can_filter(world):
    appointment(world, world["own"], at(MONDAY, 10))
    appointment(world, world["colleague"], at(MONDAY, 12))
    appointment(world, world["crema_mediator"], at(MONDAY, 9), request=world["crema_request"])
    body = week_page(world, "coordinatore.cremona", data=MONDAY.isoformat()).content.decode()
    assert body.count('data-testid="calendar-item"') == 2
    assert "Collega" in body and "CR-CAL-1" not in body
    filtered = week_page(world, "coordinatore.cremona", data=MONDAY.isoformat(), mediatore=world["colleague"].pk)
    assert filtered.content.decode().count('data-testid="calendar-item"') == 1


def test_province_staff_see_the_whole_province_summed_up_and_a_mediator_in_detail(world):
    appointment(world, world["own"], at(MONDAY, 10))
    appointment(world, world["crema_mediator"], at(MONDAY, 9), request=world["crema_request"])
    response = week_page(world, "provincia.cremona", data=MONDAY.isoformat())
    # The province spans districts: a count per district and day (tests/test_calendar_bounds.py), no appointment.
    assert [row["district"] for row in response.context["summary_rows"]] == ["Crema", "Cremona"]
    assert 'data-testid="calendar-item"' not in response.content.decode()
    chosen = week_page(world, "provincia.cremona", data=MONDAY.isoformat(), mediatore=world["crema_mediator"].pk)
    assert chosen.content.decode().count('data-testid="calendar-item"') == 1


@pytest.mark.parametrize("who", ["mediatore.crema", "coordinatore.crema", "coordinatore.bergamo", "provincia.bergamo"])
def test_outsiders_see_none_of_the_appointments(world, who):
    appointment(world, world["own"], at(MONDAY, 10))
    body = week_page(world, who, data=MONDAY.isoformat()).content.decode()
    assert 'data-testid="calendar-item"' not in body


def test_funders_have_no_calendar_page(world):
    assert week_page(world, "asl.cremona").status_code == 403


def test_a_social_worker_sees_her_office_appointments_and_no_other_office(world):
    neighbour = f.MediationRequestFactory(
        office=f.OfficeFactory(district=world["request"].office.district), status="scheduled", case_code="NB-CAL-1"
    )
    appointment(world, world["own"], at(MONDAY, 10))
    appointment(world, world["colleague"], at(MONDAY, 12), request=neighbour)
    appointment(world, world["crema_mediator"], at(MONDAY, 9), request=world["crema_request"])
    response = week_page(world, "assistente.cremona", data=MONDAY.isoformat())
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="calendar-item"') == 1
    assert "TM-CAL-1" in body
    assert "NB-CAL-1" not in body and "CR-CAL-1" not in body
    # Read-only and without what only the request's page shows: no notes, no goal, no roster to filter by.
    assert "Nota riservatissima" not in body and "Obiettivo segreto" not in body
    assert 'name="mediatore"' not in body


def test_a_social_worker_of_another_district_sees_none_of_them(world):
    appointment(world, world["own"], at(MONDAY, 10))
    body = week_page(world, "assistente.crema", data=MONDAY.isoformat()).content.decode()
    assert 'data-testid="calendar-item"' not in body


def test_the_month_view_shows_the_month_and_cancelled_ones_struck_through(world):
    appointment(world, world["own"], at(MONDAY.replace(day=20), 10), status="cancelled")
    appointment(world, world["own"], at(MONDAY.replace(day=25), 15))
    appointment(world, world["own"], at(MONDAY.replace(day=26), 15), status="void")
    appointment(world, world["own"], at(datetime(2026, 4, 15).date(), 15))
    response = week_page(world, "mediatore.cremona", vista="mese", data=MONDAY.isoformat())
    body = response.content.decode()
    assert body.count('data-testid="calendar-item"') == 2  # the void one is left out, April is not shown
    assert body.count("calendar-item is-cancelled") == 1
    assert response.context["weeks"][0][0]["date"].weekday() == 0
    assert response.context["previous_day"].isoformat() == "2026-02-01"
    assert response.context["next_day"].isoformat() == "2026-04-01"


@pytest.mark.parametrize(
    "hostile", ["abc", "2026-02-30", "0001-01-01", "9999-12-31", "2026-03-02T10:00", "", "%00", "1" * 500]
)
def test_a_hostile_date_shows_today(world, hostile):
    for params in ({"data": hostile}, {"data": hostile, "vista": "mese", "mediatore": "x"}):
        response = week_page(world, "coordinatore.cremona", **params)
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate(timezone=ROME)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["mediatore.cremona", "coordinatore.cremona", "provincia.cremona"])
@pytest.mark.parametrize("view", ["", "mese"])
def test_the_number_of_queries_does_not_grow_with_the_appointments(world, who, view):
    client = login_client(world["users"][who])
    url = f"{reverse('scheduling:calendar')}?vista={view}&data={MONDAY.isoformat()}"
    for i in range(3):
        appointment(world, world["own"], at(MONDAY, 8) + timedelta(hours=2 * i))
    client.get(url)  # the first page after the login counts the unread notifications (then kept in the cache)
    few = _count_queries(client, url)
    for i in range(3, 30):
        appointment(world, world["own"], at(MONDAY, 8) + timedelta(hours=2 * i))
    assert _count_queries(client, url) == few
    # user (the memberships come from the shared cache); the mediator profile (own) or the mediators of the menu
    # (those working in the period); the first appointments of each day with request, office and mediator (and the
    # day's and period's totals); their requests' languages (province staff: instead of these two, the counts per
    # district, day and status).
    assert few == {"mediatore.cremona": 4, "coordinatore.cremona": 4, "provincia.cremona": 3}[who], few


# --- The feed ---------------------------------------------------------------------------------------------------------


def test_the_feed_has_the_events_in_utc_and_never_the_notes_or_goal(world):
    start = timezone.now().replace(microsecond=0, second=0) + timedelta(days=2)
    live = appointment(world, world["own"], start)
    cancelled = appointment(world, world["own"], start + timedelta(days=1), status="cancelled")
    appointment(world, world["own"], start + timedelta(days=2), status="void")
    appointment(world, world["own"], start - timedelta(days=40))  # too old for the feed
    appointment(world, world["colleague"], start + timedelta(days=3))  # someone else's
    token = mediator_calendar_token_reset(actor=actor_for(world["users"]["mediatore.cremona"]), mediator=world["own"])

    response = login_client(world["users"]["mediatore.crema"]).get(reverse("scheduling:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"appointment-{live.pk}@mediazione", f"appointment-{cancelled.pk}@mediazione"}
    event = events[f"appointment-{live.pk}@mediazione"]
    assert event.decoded("DTSTART") == start.astimezone(UTC)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == (start + timedelta(hours=1)).astimezone(UTC)
    assert "TM-CAL-1" in str(event["SUMMARY"]) and "Darija" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "Via Dante 134, Cremona"
    assert world["request"].office.name in str(event["DESCRIPTION"])
    assert str(events[f"appointment-{cancelled.pk}@mediazione"]["STATUS"]) == "CANCELLED"
    text = response.content.decode()
    assert "riservatissima" not in text and "segreto" not in text


def test_the_uid_of_an_event_is_stable_across_edits(world):
    start = timezone.now() + timedelta(days=2)
    live = appointment(world, world["own"], start)
    token = mediator_calendar_token_reset(actor=actor_for(world["users"]["mediatore.cremona"]), mediator=world["own"])
    url = reverse("scheduling:calendar_feed", args=[token])
    first = Calendar.from_ical(login_client(world["users"]["admin"]).get(url).content).walk("VEVENT")[0]["UID"]
    later = start + timedelta(hours=2)
    Appointment.objects.filter(pk=live.pk).update(starts_at=later, ends_at=later + timedelta(hours=1))
    second = Calendar.from_ical(login_client(world["users"]["admin"]).get(url).content).walk("VEVENT")[0]["UID"]
    assert first == second


def test_a_revoked_or_unknown_address_is_404(client, world):
    actor = actor_for(world["users"]["mediatore.cremona"])
    old = mediator_calendar_token_reset(actor=actor, mediator=world["own"])
    new = mediator_calendar_token_reset(actor=actor, mediator=world["own"])
    assert old != new and len(new) >= 43
    assert client.get(reverse("scheduling:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("scheduling:calendar_feed", args=["unknown"])).status_code == 404
    assert client.get(reverse("scheduling:calendar_feed", args=[new])).status_code == 200


def test_the_mediator_sees_the_feed_address_and_replaces_it_with_a_button(world):
    client = login_client(world["users"]["mediatore.cremona"])
    assert 'data-testid="feed-url"' not in client.get(reverse("scheduling:calendar")).content.decode()
    url = reverse("scheduling:calendar_token_reset", args=[world["own"].pk])
    assert client.post(url).status_code == 302
    world["own"].refresh_from_db()
    first = world["own"].calendar_token
    page = client.get(reverse("scheduling:calendar")).content.decode()
    assert f"/calendario/{first}.ics" in page
    client.post(url)
    world["own"].refresh_from_db()
    assert world["own"].calendar_token != first


def test_only_the_mediator_and_their_coordinators_replace_the_address(world):
    users = world["users"]
    mediator_calendar_token_reset(actor=actor_for(users["coordinatore.cremona"]), mediator=world["own"])
    for who in ["provincia.cremona", "coordinatore.crema", "mediatore.crema", "assistente.cremona"]:
        with pytest.raises(NotAllowed):
            mediator_calendar_token_reset(actor=actor_for(users[who]), mediator=world["own"])
    assert (
        login_client(users["provincia.cremona"])
        .post(reverse("scheduling:calendar_token_reset", args=[world["own"].pk]))
        .status_code
        == 403
    )
