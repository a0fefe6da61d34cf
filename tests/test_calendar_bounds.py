"""The calendars stay bounded: a province's period is a summary per district and day, a district's day is read a page
at a time, a detailed calendar shows a few appointments a day, the mediator menu lists only who works in the period.
Every page runs the same number of queries for 3 or 30 appointments; a province's month stays small with thousands.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Provider
from scheduling import calendar_views
from scheduling.models import Appointment

from . import factories as f
from .conftest import login_client

ROME = ZoneInfo("Europe/Rome")
# A Tuesday in March: the month shown by default, 2026-03-02 is its first Monday.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ROME)
MONDAY = NOW.date() - timedelta(days=8)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(demo_world, clock):
    users = demo_world["users"]
    office = users["assistente.cremona"].memberships.get().office
    crema_office = users["assistente.crema"].memberships.get().office
    bergamo_office = users["assistente.bergamo"].memberships.get().office
    cremona = office.district
    provider = Provider.objects.get(province=cremona.province)
    own = f.MediatorFactory(
        provider=provider,
        districts=[cremona],
        user=users["mediatore.cremona"],
        email="mediatore.cremona@example.org",
        first_name="Samira",
        last_name="Haddad",
    )
    return {
        "users": users,
        "cremona": cremona,
        "crema": crema_office.district,
        "provider": provider,
        "own": own,
        "colleague": f.MediatorFactory(provider=provider, districts=[cremona], first_name="Amina", last_name="Collega"),
        "idle": f.MediatorFactory(provider=provider, districts=[cremona], first_name="Ivo", last_name="Riposo"),
        "crema_mediator": f.MediatorFactory(provider=provider, districts=[crema_office.district], last_name="Cremasco"),
        "request": f.MediationRequestFactory(office=office, status="scheduled", case_code="CR-1"),
        "crema_request": f.MediationRequestFactory(office=crema_office, status="scheduled", case_code="CA-1"),
        "bergamo_request": f.MediationRequestFactory(office=bergamo_office, status="scheduled", case_code="BG-1"),
        "bergamo_mediator": f.MediatorFactory(
            provider=Provider.objects.get(province=bergamo_office.district.province),
            districts=[bergamo_office.district],
            last_name="Bergamasco",
        ),
    }


def book(world, mediator, day, hour, *, request="request", status="planned", minute=0):
    starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)
    return Appointment.objects.create(
        request=world[request],
        mediator=mediator,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        status=status,
        created_by=world["users"]["coordinatore.cremona"],
    )


def calendar(world, who, **params):
    response = login_client(world["users"][who]).get(reverse("scheduling:calendar"), params)
    assert response.status_code == 200
    return response


def day_url(district, day):
    return reverse("scheduling:calendar_day", args=[district.pk, day.isoformat()])


def cell(response, district, day):
    (row,) = [r for r in response.context["summary_rows"] if r["district"] == district.name]
    index = [d["date"] for d in response.context["summary_days"]].index(day)
    return row["cells"][index]


def counts(found):
    return {c["css"]: c["count"] for c in found["counts"]}


# --- The province's month: a summary --------------------------------------------------------------------------------


@pytest.fixture
def busy_monday(world):
    """Cremona: two planned, one cancelled and one void on Monday, one held on Tuesday; Crema: one on Monday;
    Bergamo (another province): one on Monday."""
    book(world, world["own"], MONDAY, 10)
    book(world, world["colleague"], MONDAY, 12)
    book(world, world["own"], MONDAY, 15, status="cancelled")
    book(world, world["colleague"], MONDAY, 16, status="void")
    book(world, world["own"], MONDAY + timedelta(days=1), 9, status="held")
    book(world, world["crema_mediator"], MONDAY, 11, request="crema_request")
    book(world, world["bergamo_mediator"], MONDAY, 11, request="bergamo_request")
    return world


def test_a_province_month_counts_each_district_and_day_by_status(busy_monday):
    world = busy_monday
    response = calendar(world, "provincia.cremona", vista="mese")
    assert response.context["summary"] and "weeks" not in response.context
    assert [row["district"] for row in response.context["summary_rows"]] == ["Crema", "Cremona"]  # not Bergamo
    assert [d["date"].day for d in response.context["summary_days"]] == list(range(1, 32))  # March, no padding
    monday = cell(response, world["cremona"], MONDAY)
    # Two planned and one cancelled, counted as such; the void one (entered by mistake) is left out.
    assert monday["total"] == 3 and counts(monday) == {"p": 2, "c": 1}
    assert counts(cell(response, world["cremona"], MONDAY + timedelta(days=1))) == {"h": 1}
    assert counts(cell(response, world["crema"], MONDAY)) == {"p": 1}
    assert cell(response, world["crema"], MONDAY + timedelta(days=1))["total"] == 0
    assert response.context["summary_totals"][MONDAY.day - 1] == 4
    assert response.context["summary_total"] == 5
    body = response.content.decode()
    assert 'data-testid="calendar-item"' not in body and "CR-1" not in body
    # Each day's cell leads to that district's day; the legend and the screen reader say what each number is.
    assert f'href="{day_url(world["cremona"], MONDAY)}"' in body
    assert '<span class="cs c">1<span class="vh"> annullato</span></span>' in body


def test_the_cell_of_a_day_opens_that_districts_appointments_and_no_others(busy_monday):
    world = busy_monday
    response = login_client(world["users"]["provincia.cremona"]).get(day_url(world["cremona"], MONDAY))
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [(a.starts_at.astimezone(ROME).hour, a.status) for a in rows] == [
        (10, "planned"),
        (12, "planned"),
        (15, "cancelled"),
    ]
    body = response.content.decode()
    assert "CA-1" not in body and "BG-1" not in body
    assert "3 appuntamenti" in body and "2 programmati" in body and "1 annullato" in body


@pytest.mark.parametrize(
    ("who", "status", "rows"),
    [
        ("coordinatore.cremona", 200, 3),
        ("mediatore.cremona", 200, 2),  # only their own
        ("assistente.cremona", 200, 3),  # her office's requests
        ("coordinatore.crema", 404, None),  # another district of the province
        ("coordinatore.bergamo", 404, None),
        ("provincia.bergamo", 404, None),
        ("asl.cremona", 403, None),  # a funder has no calendar
    ],
)
def test_a_districts_day_is_seen_within_each_ones_reach(busy_monday, who, status, rows):
    response = login_client(busy_monday["users"][who]).get(day_url(busy_monday["cremona"], MONDAY))
    assert response.status_code == status
    if rows is not None:
        assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("day", ["2026-02-30", "abc", "1999-12-31", "2026-03-02T10:00"])
def test_an_impossible_day_in_the_address_is_404(world, day):
    url = reverse("scheduling:calendar_day", args=[world["cremona"].pk, day])
    assert login_client(world["users"]["coordinatore.cremona"]).get(url).status_code == 404


def test_a_districts_day_is_read_a_page_at_a_time(world, monkeypatch):
    monkeypatch.setattr(calendar_views, "DAY_PAGE_SIZE", 2)
    for hour in range(8, 13):
        book(world, world["own"], MONDAY, hour)
    client = login_client(world["users"]["coordinatore.cremona"])
    first = client.get(day_url(world["cremona"], MONDAY))
    assert [a.starts_at.astimezone(ROME).hour for a in first.context["page"]] == [8, 9]
    assert first.context["page"].paginator.num_pages == 3
    last = client.get(day_url(world["cremona"], MONDAY), {"page": 3})
    assert [a.starts_at.astimezone(ROME).hour for a in last.context["page"]] == [12]
    assert client.get(day_url(world["cremona"], MONDAY), {"page": "abc"}).status_code == 200


# --- Detailed calendars: a few a day, the rest behind a link ---------------------------------------------------------


def test_a_district_month_stays_detailed_with_a_few_a_day_and_a_link_to_the_rest(world):
    for hour in range(8, 14):
        book(world, world["own"], MONDAY, hour)
    response = calendar(world, "coordinatore.cremona", vista="mese")
    assert not response.context["summary"]
    monday = next(c for week in response.context["weeks"] for c in week if c["date"] == MONDAY)
    shown = [a.starts_at.astimezone(ROME).hour for a in monday["appointments"]]
    assert shown == [8, 9, 10, 11] and calendar_views.MONTH_PER_DAY == 4  # the first ones, in time order
    assert monday["more"] == 2 and monday["more_url"] == day_url(world["cremona"], MONDAY)
    body = response.content.decode()
    assert body.count('data-testid="calendar-item"') == 4
    assert "altri 2: apri il giorno" in body


def test_a_mediators_month_sends_the_rest_of_a_day_to_the_week(world):
    for hour in range(8, 14):
        book(world, world["own"], MONDAY, hour)
    response = calendar(world, "mediatore.cremona", vista="mese")
    monday = next(c for week in response.context["weeks"] for c in week if c["date"] == MONDAY)
    assert len(monday["appointments"]) == 4 and monday["more"] == 2
    assert monday["more_url"] == f"?data={MONDAY.isoformat()}"
    week = calendar(world, "mediatore.cremona", data=MONDAY.isoformat())
    assert week.content.decode().count('data-testid="calendar-item"') == 6


def test_a_busy_week_says_how_many_more_a_day_has(world, monkeypatch):
    monkeypatch.setattr(calendar_views, "WEEK_PER_DAY", 2)
    for hour in range(8, 13):
        book(world, world["own"], MONDAY, hour)
    response = calendar(world, "coordinatore.cremona", data=MONDAY.isoformat())
    monday = response.context["weeks"][0][0]
    assert len(monday["appointments"]) == 2 and monday["more"] == 3
    assert monday["more_url"] == day_url(world["cremona"], MONDAY)


def test_a_district_period_with_too_many_appointments_is_summed_up_too(world, monkeypatch):
    monkeypatch.setattr(calendar_views, "SUMMARY_ABOVE", 3)
    for hour in range(8, 12):
        book(world, world["own"], MONDAY, hour)
    response = calendar(world, "coordinatore.cremona", vista="mese")
    assert response.context["summary"]
    assert cell(response, world["cremona"], MONDAY)["total"] == 4
    three = calendar(world, "coordinatore.cremona", vista="mese", data=(MONDAY - timedelta(days=31)).isoformat())
    assert not three.context["summary"]  # February: nothing, a plain calendar


# --- The mediator menu ------------------------------------------------------------------------------------------------


def test_the_menu_lists_only_the_mediators_working_in_the_period(world):
    book(world, world["own"], MONDAY, 10)
    book(world, world["colleague"], MONDAY + timedelta(days=40), 10)  # in April
    book(world, world["crema_mediator"], MONDAY, 10, request="crema_request")  # another district
    march = calendar(world, "coordinatore.cremona", vista="mese")
    assert march.context["mediators"] == [world["own"]]
    april = calendar(world, "coordinatore.cremona", vista="mese", data="2026-04-15")
    assert april.context["mediators"] == [world["colleague"]]
    province = calendar(world, "provincia.cremona", vista="mese")
    assert province.context["mediators"] == [world["crema_mediator"], world["own"]]  # by surname


def test_a_search_finds_a_mediator_who_has_nothing_in_the_period_and_shows_the_only_one(world):
    book(world, world["own"], MONDAY, 10)
    response = calendar(world, "coordinatore.cremona", cerca="riposo")
    assert response.context["mediators"] == [world["idle"]]
    assert response.context["chosen"] == world["idle"]
    assert 'data-testid="calendar-item"' not in response.content.decode()  # Samira's appointment is not Ivo's
    several = calendar(world, "coordinatore.cremona", cerca="a")
    assert several.context["chosen"] is None and len(several.context["mediators"]) >= 3


def test_a_search_never_finds_a_mediator_outside_the_roster(world):
    response = calendar(world, "coordinatore.cremona", cerca="Bergamasco")
    assert response.context["mediators"] == [] and response.context["chosen"] is None
    assert f'value="{world["bergamo_mediator"].pk}"' not in response.content.decode()
    assert "0 mediatori trovati" in response.content.decode()


def test_the_menu_is_bounded_and_says_so(world, monkeypatch):
    monkeypatch.setattr(calendar_views, "MENU_LIMIT", 2)
    for n, mediator in enumerate([world["own"], world["colleague"], world["idle"]]):
        book(world, mediator, MONDAY, 9 + n)
    response = calendar(world, "coordinatore.cremona", data=MONDAY.isoformat())
    assert response.context["mediators"] == [world["colleague"], world["own"]] and response.context["menu_more"]
    assert "Sono elencati solo i primi" in response.content.decode()


# --- A fixed number of queries; a bounded size ------------------------------------------------------------------------


# Every page once warm: the user (tests/test_query_counts.py, tests/test_fixed_queries.py).
FRAME = 1


def fill(world, count: int, *, district="request"):
    """``count`` appointments of Cremona spread over March, a few a day."""
    mediators = [world["own"], world["colleague"], world["idle"]]
    for n in range(count):
        book(world, mediators[n % 3], MONDAY + timedelta(days=n // 3), 8 + n % 3, request=district)


@pytest.mark.parametrize(
    ("who", "params", "extra"),
    [
        # The menu (mediators working in the period); the counts per district, day and status.
        ("provincia.cremona", {"vista": "mese"}, 2),
        # The menu; the first appointments of each day (with the totals); their languages.
        ("coordinatore.cremona", {"vista": "mese"}, 3),
        ("coordinatore.cremona", {"data": MONDAY.isoformat()}, 3),
        # Their profile; the first appointments; their languages (the membership's districts come with the frame).
        ("mediatore.cremona", {"vista": "mese"}, 3),
    ],
)
@pytest.mark.parametrize("rows", [3, 30])
def test_calendar_pages_run_the_same_queries_for_3_or_30_appointments(
    world, django_assert_num_queries, who, params, extra, rows
):
    fill(world, rows)
    client = login_client(world["users"][who])
    client.get(reverse("scheduling:calendar"), params)  # the session's first write
    with django_assert_num_queries(FRAME + extra):
        assert client.get(reverse("scheduling:calendar"), params).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_a_districts_day_runs_the_same_queries_for_3_or_30_appointments(world, django_assert_num_queries, rows):
    for n in range(rows):
        book(world, [world["own"], world["colleague"], world["idle"]][n % 3], MONDAY, 8 + n // 3, minute=n % 3 * 15)
    client = login_client(world["users"]["coordinatore.cremona"])
    client.get(day_url(world["cremona"], MONDAY))
    # The district; the counts by status (the paginator's count too); the page of appointments; their languages.
    with django_assert_num_queries(FRAME + 4):
        response = client.get(day_url(world["cremona"], MONDAY))
    assert len(response.context["page"].object_list) == rows


def test_a_province_month_stays_small_whatever_the_number_of_appointments(world):
    """The size of a summary depends on the districts and the days, not on the appointments: 1,200 and then 2,400
    in a month of two districts give pages of the same size, far from the megabyte the detailed month was."""
    from datetime import time

    mediators = f.MediatorFactory.create_batch(20, provider=world["provider"], districts=[world["cremona"]])

    def month_of(hours):
        rows = []
        for day in range(1, 31):
            for n, mediator in enumerate(mediators):
                for hour in hours:
                    starts = datetime.combine(MONDAY.replace(day=day), time(hour), tzinfo=ROME)
                    rows.append(
                        Appointment(
                            request=world["request" if n % 2 else "crema_request"],
                            mediator=mediator,
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=1),
                            status=["planned", "held", "cancelled", "no_show"][(day + n) % 4],
                            created_by=world["users"]["coordinatore.cremona"],
                        )
                    )
        Appointment.objects.bulk_create(rows)

    month_of([9, 14])
    first = calendar(world, "provincia.cremona", vista="mese")
    assert first.context["summary_total"] == 1200
    month_of([11, 16])
    second = calendar(world, "provincia.cremona", vista="mese")
    assert second.context["summary_total"] == 2400
    assert len(second.content) < 48_000, len(second.content)
    assert abs(len(second.content) - len(first.content)) < 1_000  # a few more digits
