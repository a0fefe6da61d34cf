"""Recurring appointments: planned once, every occurrence checked first, changed one, the following or all at once."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError, NotAllowed
from notifications.models import Notification
from requests_app.models import MediationRequest
from scheduling import recurrence as series
from scheduling import services as scheduling_services
from scheduling.models import Appointment, AppointmentSeries

from . import factories as f
from .conftest import login_client
from .test_scheduling import ROME
from .test_scheduling_pages import BASE_QUERIES, _mediator


@pytest.fixture
def world(db):
    province = f.ProvinceFactory(slug="cremona")
    district = f.DistrictFactory(province=province, name="Cremona")
    office = f.OfficeFactory(district=district)
    provider = f.ProviderFactory(province=province)
    coordinator = f.coordinator(district=district)
    request = f.MediationRequestFactory(
        office=office, status="matching", languages=["ara:Darija"], mode="in_person", place="Via Dante 134"
    )
    mediators = [_mediator(provider, district, i) for i in range(3)]
    scheduling_services.offer_accept(
        offer=scheduling_services.offers_create(actor=actor_for(coordinator), request=request, tiers=[[mediators[0]]])[
            0
        ],
        by=mediators[0].user,
    )
    request.refresh_from_db()
    return {
        "district": district,
        "office": office,
        "provider": provider,
        "coordinator": coordinator,
        "request": request,
        "m": mediators,
    }


def monday_next_week(hour=10) -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(hour), tzinfo=ROME)


def plan_weekly(world, *, weeks=4, hour=10, **kwargs) -> AppointmentSeries:
    start = monday_next_week(hour)
    planned, _skipped = scheduling_services.series_create(
        actor=actor_for(world["coordinator"]),
        request=world["request"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        interval_weeks=1,
        until=start.date() + timedelta(weeks=weeks - 1),
        **kwargs,
    )
    return planned


def local_times(planned) -> list[tuple[date, time]]:
    return [
        (a.starts_at.astimezone(ROME).date(), a.starts_at.astimezone(ROME).time())
        for a in planned.occurrences.order_by("starts_at")
    ]


# --- The dates --------------------------------------------------------------------------------------------------------


def test_occurrences_keep_the_italian_time_across_the_end_of_summer_time():
    start = datetime(2027, 10, 18, 10, 0, tzinfo=ROME)
    spans = series.occurrences(
        starts_at=start, ends_at=start + timedelta(minutes=90), interval_weeks=1, until=date(2027, 11, 8)
    )
    assert [s.starts_at.astimezone(ROME).strftime("%d/%m %H:%M") for s in spans] == [
        "18/10 10:00",
        "25/10 10:00",
        "01/11 10:00",
        "08/11 10:00",
    ]
    assert {s.ends_at - s.starts_at for s in spans} == {timedelta(minutes=90)}
    # The same wall-clock time is a different UTC hour before and after the change.
    assert spans[0].starts_at.astimezone(ROME).utcoffset() != spans[-1].starts_at.astimezone(ROME).utcoffset()


def test_every_two_weeks_skips_a_week():
    start = datetime(2027, 3, 1, 9, 0, tzinfo=ROME)
    spans = series.occurrences(
        starts_at=start, ends_at=start + timedelta(hours=1), interval_weeks=2, until=date(2027, 3, 31)
    )
    assert [s.starts_at.day for s in spans] == [1, 15, 29]


# --- Planning a series ------------------------------------------------------------------------------------------------


def test_a_weekly_series_is_planned_once_and_schedules_the_request(world):
    planned = plan_weekly(world, weeks=4)
    assert planned.occurrences.count() == 4
    assert {t for _d, t in local_times(planned)} == {time(10)}
    days = [d for d, _t in local_times(planned)]
    assert [(b - a).days for a, b in zip(days, days[1:], strict=False)] == [7, 7, 7]
    assert set(planned.occurrences.values_list("mediator", flat=True)) == {world["m"][0].pk}
    assert set(planned.occurrences.values_list("place", flat=True)) == {"Via Dante 134"}
    world["request"].refresh_from_db()
    assert world["request"].status == "scheduled"
    told = Notification.objects.filter(request=world["request"], kind=Notification.Kind.SERIES)
    assert {n.recipient for n in told} == {world["request"].requester, world["m"][0].user}


def test_every_clash_is_listed_and_nothing_is_saved(world):
    m0 = world["m"][0]
    start = monday_next_week()
    # Week 2: already booked elsewhere at the same time. Week 3: absent. Week 4: in person elsewhere, too close.
    other = f.MediationRequestFactory(office=world["office"], status="scheduled", assigned_mediator=m0)
    Appointment.objects.create(
        request=other,
        mediator=m0,
        starts_at=start + timedelta(weeks=1, minutes=30),
        ends_at=start + timedelta(weeks=1, hours=2),
        created_by=world["coordinator"],
    )
    f.AbsenceFactory(
        mediator=m0, start_date=start.date() + timedelta(weeks=2), end_date=start.date() + timedelta(weeks=2)
    )
    Appointment.objects.create(
        request=other,
        mediator=m0,
        starts_at=start + timedelta(weeks=3, hours=1, minutes=10),
        ends_at=start + timedelta(weeks=3, hours=2),
        place="Ospedale di Cremona",
        created_by=world["coordinator"],
    )
    with pytest.raises(scheduling_services.SeriesConflicts) as refused:
        plan_weekly(world, weeks=5)
    found = refused.value.conflicts
    assert [c.starts_at.astimezone(ROME).date() for c in found] == [
        start.date() + timedelta(weeks=w) for w in (1, 2, 3)
    ]
    assert "already has an appointment" in found[0].reason or "ha già un appuntamento" in found[0].reason
    assert "absent" in found[1].reason or "assente" in found[1].reason
    assert "Ospedale di Cremona" in found[2].reason
    assert not AppointmentSeries.objects.exists()
    assert Appointment.objects.filter(request=world["request"]).count() == 0
    world["request"].refresh_from_db()
    assert world["request"].status == "assigned"


def test_the_coordinator_may_plan_the_others_and_leave_the_clashes_out(world):
    m0 = world["m"][0]
    start = monday_next_week()
    f.AbsenceFactory(
        mediator=m0, start_date=start.date() + timedelta(weeks=1), end_date=start.date() + timedelta(weeks=1)
    )
    planned = plan_weekly(world, weeks=3, skip_conflicts=True)
    assert [d for d, _t in local_times(planned)] == [start.date(), start.date() + timedelta(weeks=2)]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"interval_weeks": 5}, "interval_weeks"),
        ({"interval_weeks": 0}, "interval_weeks"),
        ({"until": "first day"}, "until"),
        ({"until": "in two years"}, "until"),
        ({"starts_at": "yesterday"}, "starts_at"),
    ],
)
def test_a_series_that_makes_no_sense_is_refused_with_a_reason(world, change, field):
    start = monday_next_week()
    values = {
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "interval_weeks": 1,
        "until": start.date() + timedelta(weeks=3),
    }
    special = {
        "first day": start.date(),
        "in two years": start.date() + timedelta(days=800),
        "yesterday": timezone.now() - timedelta(days=1),
    }
    for key, value in change.items():
        values[key] = special.get(value, value)
    if field == "starts_at":
        values["ends_at"] = values["starts_at"] + timedelta(hours=1)
    with pytest.raises(DomainError) as refused:
        scheduling_services.series_create(actor=actor_for(world["coordinator"]), request=world["request"], **values)
    assert refused.value.field == field
    assert not Appointment.objects.exists()


def test_only_the_district_coordinator_plans_a_series(world):
    worker = f.social_worker(office=world["office"])
    with pytest.raises(NotAllowed):
        scheduling_services.series_create(
            actor=actor_for(worker),
            request=world["request"],
            starts_at=monday_next_week(),
            ends_at=monday_next_week() + timedelta(hours=1),
            interval_weeks=1,
            until=monday_next_week().date() + timedelta(weeks=2),
        )
    assert not Appointment.objects.exists()


# --- Changing it ------------------------------------------------------------------------------------------------------


def occurrence(planned, index) -> Appointment:
    return planned.occurrences.order_by("starts_at")[index]


def test_cancelling_one_leaves_the_others_planned(world):
    planned = plan_weekly(world, weeks=4)
    count = scheduling_services.series_cancel(
        actor=actor_for(world["coordinator"]), appointment=occurrence(planned, 1), scope=series.THIS, reason="Festa"
    )
    assert count == 1
    assert list(planned.occurrences.order_by("starts_at").values_list("status", flat=True)) == [
        "planned",
        "cancelled",
        "planned",
        "planned",
    ]


def test_cancelling_this_and_the_following_stops_the_series_there(world):
    planned = plan_weekly(world, weeks=4)
    count = scheduling_services.series_cancel(
        actor=actor_for(world["coordinator"]),
        appointment=occurrence(planned, 2),
        scope=series.FOLLOWING,
        reason="Il nucleo si trasferisce",
    )
    assert count == 2
    statuses = list(planned.occurrences.order_by("starts_at").values_list("status", "late_cancellation"))
    assert statuses == [("planned", False), ("planned", False), ("cancelled", False), ("cancelled", False)]
    assert Notification.objects.filter(kind=Notification.Kind.SERIES_CANCELLED, recipient=world["m"][0].user).exists()


def test_all_means_those_still_to_come_and_the_one_chosen_not_other_past_ones(world):
    planned = plan_weekly(world, weeks=3)
    first, second, third = planned.occurrences.order_by("starts_at")
    # Time has passed: the first two are over and not reported yet.
    for occurrence_, days in ((first, 14), (second, 7)):
        start = timezone.now() - timedelta(days=days)
        Appointment.objects.filter(pk=occurrence_.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    count = scheduling_services.series_cancel(
        actor=actor_for(world["coordinator"]), appointment=first, scope=series.ALL, reason="Progetto sospeso"
    )
    assert count == 2
    assert list(planned.occurrences.order_by("starts_at").values_list("status", flat=True)) == [
        "cancelled",
        "planned",
        "cancelled",
    ]


def test_the_office_may_cancel_all_but_never_void(world):
    planned = plan_weekly(world, weeks=3)
    worker = world["request"].requester
    with pytest.raises(NotAllowed):
        scheduling_services.series_cancel(
            actor=actor_for(worker), appointment=occurrence(planned, 0), scope=series.ALL, reason="x", void=True
        )
    assert (
        scheduling_services.series_cancel(
            actor=actor_for(worker), appointment=occurrence(planned, 0), scope=series.ALL, reason="Chiuso il caso"
        )
        == 3
    )
    assert set(planned.occurrences.values_list("status", flat=True)) == {"cancelled"}


def test_moving_this_and_the_following_shifts_them_by_the_same_days_to_the_new_time(world):
    planned = plan_weekly(world, weeks=4)
    third = occurrence(planned, 2)
    new_start = datetime.combine(third.starts_at.astimezone(ROME).date() + timedelta(days=1), time(15), tzinfo=ROME)
    moved = scheduling_services.series_move(
        actor=actor_for(world["coordinator"]),
        appointment=third,
        scope=series.FOLLOWING,
        starts_at=new_start,
        ends_at=new_start + timedelta(minutes=90),
        reason="Rientro a scuola: il pomeriggio",
    )
    assert moved == 2
    first = monday_next_week().date()
    assert local_times(planned) == [
        (first, time(10)),
        (first + timedelta(weeks=1), time(10)),
        (first + timedelta(weeks=2, days=1), time(15)),
        (first + timedelta(weeks=3, days=1), time(15)),
    ]
    assert [a.ends_at - a.starts_at for a in planned.occurrences.order_by("starts_at")][2:] == [
        timedelta(minutes=90)
    ] * 2


def test_moving_all_a_week_later_crosses_no_occurrence_on_the_way(world):
    planned = plan_weekly(world, weeks=3)
    first = occurrence(planned, 0)
    new_start = first.starts_at + timedelta(weeks=1)
    scheduling_services.series_move(
        actor=actor_for(world["coordinator"]),
        appointment=first,
        scope=series.ALL,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=1),
        reason="Una settimana dopo",
    )
    monday = monday_next_week().date()
    assert [d for d, _t in local_times(planned)] == [monday + timedelta(weeks=w) for w in (1, 2, 3)]


def test_a_move_that_clashes_lists_the_clashes_and_moves_nothing(world):
    m0 = world["m"][0]
    planned = plan_weekly(world, weeks=3)
    before = local_times(planned)
    other = f.MediationRequestFactory(office=world["office"], status="scheduled", assigned_mediator=m0)
    last_day = before[-1][0]
    Appointment.objects.create(
        request=other,
        mediator=m0,
        starts_at=datetime.combine(last_day, time(14), tzinfo=ROME),
        ends_at=datetime.combine(last_day, time(16), tzinfo=ROME),
        place="Via Dante 134",
        created_by=world["coordinator"],
    )
    first = occurrence(planned, 0)
    new_start = datetime.combine(first.starts_at.astimezone(ROME).date(), time(15), tzinfo=ROME)
    with pytest.raises(scheduling_services.SeriesConflicts) as refused:
        scheduling_services.series_move(
            actor=actor_for(world["coordinator"]),
            appointment=first,
            scope=series.ALL,
            starts_at=new_start,
            ends_at=new_start + timedelta(hours=1),
            reason="Pomeriggio",
        )
    assert [c.starts_at.astimezone(ROME).date() for c in refused.value.conflicts] == [last_day]
    assert local_times(planned) == before


def test_the_mediator_changes_from_a_date_on_and_earlier_ones_stay(world):
    m0, m1 = world["m"][0], world["m"][1]
    planned = plan_weekly(world, weeks=4)
    from_day = occurrence(planned, 2).starts_at.astimezone(ROME).date()
    changed = scheduling_services.series_change_mediator(
        actor=actor_for(world["coordinator"]), planned=planned, from_day=from_day, mediator=m1, reason="Ferie lunghe"
    )
    assert changed == 2
    assert list(planned.occurrences.order_by("starts_at").values_list("mediator", flat=True)) == [
        m0.pk,
        m0.pk,
        m1.pk,
        m1.pk,
    ]
    planned.refresh_from_db()
    world["request"].refresh_from_db()
    assert planned.mediator == m1 and world["request"].assigned_mediator == m1
    told = set(Notification.objects.filter(kind=Notification.Kind.MEDIATOR_CHANGED).values_list("recipient", flat=True))
    assert told == {m0.user_id, m1.user_id, world["request"].requester_id}


def test_a_new_mediator_who_is_busy_is_refused_with_the_clashes(world):
    m1 = world["m"][1]
    planned = plan_weekly(world, weeks=3)
    busy = occurrence(planned, 1)
    other = f.MediationRequestFactory(office=world["office"], status="scheduled", assigned_mediator=m1)
    Appointment.objects.create(
        request=other,
        mediator=m1,
        starts_at=busy.starts_at,
        ends_at=busy.ends_at,
        place="Via Dante 134",
        created_by=world["coordinator"],
    )
    with pytest.raises(scheduling_services.SeriesConflicts) as refused:
        scheduling_services.series_change_mediator(
            actor=actor_for(world["coordinator"]),
            planned=planned,
            from_day=timezone.localdate(),
            mediator=m1,
            reason="Cambio",
        )
    assert len(refused.value.conflicts) == 1
    assert set(planned.occurrences.values_list("mediator", flat=True)) == {world["m"][0].pk}


def test_a_mediator_who_does_not_speak_the_language_cannot_take_over(world):
    planned = plan_weekly(world, weeks=2)
    chinese = f.MediatorFactory(provider=world["provider"], districts=[world["district"]], languages=["zho"])
    with pytest.raises(DomainError) as refused:
        scheduling_services.series_change_mediator(
            actor=actor_for(world["coordinator"]),
            planned=planned,
            from_day=timezone.localdate(),
            mediator=chinese,
            reason="Cambio",
        )
    assert refused.value.field == "mediator"


# --- Who sees it ------------------------------------------------------------------------------------------------------


def test_the_mediator_who_handed_over_still_sees_the_series_but_only_their_own_appointments(world):
    m0, m1 = world["m"][0], world["m"][1]
    planned = plan_weekly(world, weeks=4)
    scheduling_services.series_change_mediator(
        actor=actor_for(world["coordinator"]),
        planned=planned,
        from_day=occurrence(planned, 2).starts_at.astimezone(ROME).date(),
        mediator=m1,
        reason="Ferie",
    )
    page = login_client(m0.user).get(planned.get_absolute_url())
    assert page.status_code == 200
    assert len(page.context["occurrences"]) == 2
    assert {a.mediator_id for a in page.context["occurrences"]} == {m0.pk}
    # The request itself is now the other mediator's.
    assert login_client(m0.user).get(world["request"].get_absolute_url()).status_code == 404
    assert login_client(m1.user).get(world["request"].get_absolute_url()).status_code == 200


# --- The pages --------------------------------------------------------------------------------------------------------


def plan_form(start: datetime, **extra) -> dict:
    return {
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration": "60",
        "mode": "in_person",
        "place": "Via Dante 134",
        **extra,
    }


def test_the_planning_page_plans_a_weekly_series_and_opens_it(world):
    start = monday_next_week()
    response = login_client(world["coordinator"]).post(
        reverse("scheduling:plan", args=[world["request"].pk]),
        plan_form(start, repeat="1", until=(start.date() + timedelta(weeks=5)).isoformat()),
    )
    planned = AppointmentSeries.objects.get()
    assert response.status_code == 302 and response["Location"] == planned.get_absolute_url()
    assert planned.occurrences.count() == 6
    page = login_client(world["coordinator"]).get(planned.get_absolute_url())
    assert 'data-testid="occurrences"' in page.content.decode()


def test_the_planning_page_lists_the_clashes_and_offers_to_plan_the_others(world):
    start = monday_next_week()
    f.AbsenceFactory(
        mediator=world["m"][0], start_date=start.date() + timedelta(weeks=1), end_date=start.date() + timedelta(weeks=1)
    )
    client = login_client(world["coordinator"])
    data = plan_form(start, repeat="1", until=(start.date() + timedelta(weeks=2)).isoformat())
    refused = client.post(reverse("scheduling:plan", args=[world["request"].pk]), data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-testid="conflicts"' in html and 'name="skip"' in html
    assert not Appointment.objects.exists()
    accepted = client.post(reverse("scheduling:plan", args=[world["request"].pk]), {**data, "skip": "1"})
    assert accepted.status_code == 302
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"repeat": "1", "until": "not a date"},
        {"repeat": "9", "until": "2030-01-01"},
        {"repeat": "1", "until": ""},
        {"repeat": "x", "until": "2030-01-01"},
    ],
)
def test_bad_repetition_input_is_a_message_not_a_500(world, data):
    start = monday_next_week()
    response = login_client(world["coordinator"]).post(
        reverse("scheduling:plan", args=[world["request"].pk]), plan_form(start, **data)
    )
    # "x" is read as "does not repeat": one appointment, no series.
    if data["repeat"] == "x":
        assert response.status_code == 302 and not AppointmentSeries.objects.exists()
    else:
        assert response.status_code == 400
        assert not Appointment.objects.exists()


def test_the_appointment_page_cancels_this_and_the_following(world):
    planned = plan_weekly(world, weeks=3)
    second = occurrence(planned, 1)
    response = login_client(world["coordinator"]).post(
        second.get_absolute_url(), {"action": "cancel", "scope": "following", "reason": "Fine del progetto"}
    )
    assert response.status_code == 302
    assert list(planned.occurrences.order_by("starts_at").values_list("status", flat=True)) == [
        "planned",
        "cancelled",
        "cancelled",
    ]


def test_the_series_menu_offers_the_20_best_candidates_and_counts_the_others(world):
    planned = plan_weekly(world, weeks=2)
    for i in range(3, 25):
        _mediator(world["provider"], world["district"], i)
    page = login_client(world["coordinator"]).get(reverse("scheduling:series_mediator", args=[planned.pk]))
    candidates = page.context["candidates"]
    # 25 mediators speak Darija in the district; the series' own mediator is not a candidate to take over.
    assert len(candidates) == 20 and world["m"][0] not in candidates
    assert page.context["more_candidates"] == 4
    assert "altri 4 rispondono ai requisiti" in page.content.decode()


def test_the_series_page_changes_the_mediator(world):
    planned = plan_weekly(world, weeks=3)
    m1 = world["m"][1]
    client = login_client(world["coordinator"])
    page = client.get(planned.get_absolute_url())
    # The series page offers the change; the menu of who may take over comes on asking (by htmx, or its own page).
    assert "candidates" not in page.context
    assert reverse("scheduling:series_mediator", args=[planned.pk]) in page.content.decode()
    menu = client.get(reverse("scheduling:series_mediator", args=[planned.pk]), headers={"HX-Request": "true"})
    assert m1 in menu.context["candidates"] and world["m"][0] not in menu.context["candidates"]
    assert "<html" not in menu.content.decode() and f'action="{planned.get_absolute_url()}"' in menu.content.decode()
    response = client.post(
        planned.get_absolute_url(),
        {"mediator": m1.pk, "from_day": timezone.localdate().isoformat(), "reason": "Malattia"},
    )
    assert response.status_code == 302
    assert set(planned.occurrences.values_list("mediator", flat=True)) == {m1.pk}
    assert MediationRequest.objects.get(pk=world["request"].pk).assigned_mediator == m1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"mediator": "abc", "from_day": "2027-01-01", "reason": "x"},
        {"mediator": "1", "from_day": "31/02", "reason": "x"},
    ],
)
def test_bad_series_input_is_a_message_not_a_500(world, data):
    planned = plan_weekly(world, weeks=2)
    response = login_client(world["coordinator"]).post(planned.get_absolute_url(), data)
    assert response.status_code == 400
    # The form comes back with its menu and the reason it was refused.
    assert 'data-testid="series-error"' in response.content.decode() and response.context["candidates"]
    assert set(planned.occurrences.values_list("mediator", flat=True)) == {world["m"][0].pk}


@pytest.mark.parametrize("weeks", [3, 30])
def test_the_series_page_runs_a_fixed_number_of_queries(world, weeks):
    planned = plan_weekly(world, weeks=weeks)
    client = login_client(world["coordinator"])
    client.get(planned.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(planned.get_absolute_url()).status_code == 200
    assert len(queries) == SERIES_PAGE_QUERIES


def test_the_series_page_reads_only_what_it_shows(world):
    """The series with its request, office and district and its mediator, not who planned it nor the request's
    mediator; its occurrences with their mediator's name, not the reasons, who planned them, the mediator's notes
    (issue #17: the page read twice the columns it shows)."""
    planned = plan_weekly(world, weeks=3)
    client = login_client(world["coordinator"])
    client.get(planned.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        html = client.get(planned.get_absolute_url()).content.decode()
    [read] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "scheduling_appointmentseries"')]
    assert 'JOIN "accounts_user"' not in read and read.count('JOIN "mediators_mediator"') == 1
    assert 'JOIN "accounts_district"' in read  # the province of the read audit's row
    [occurrences] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "scheduling_appointment"')]
    for column in ("cancel_reason", "created_by_id", "coordinator_notes", "calendar_token", "phone"):
        assert f'."{column}"' not in occurrences
    assert html.count(world["m"][0].full_name) == 4  # the series' mediator and each of its three occurrences'


@pytest.mark.parametrize("others", [3, 30])
def test_the_menu_of_who_takes_over_runs_a_fixed_number_of_queries(world, others):
    planned = plan_weekly(world, weeks=3)
    for i in range(3, 3 + others):
        _mediator(world["provider"], world["district"], i)
    client = login_client(world["coordinator"])
    url = reverse("scheduling:series_mediator", args=[planned.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert len(queries) == SERIES_MENU_QUERIES


# The series with its request, the occurrences with their mediators, and the read audit's row (the menu of who may
# take over comes on asking).
SERIES_PAGE_QUERIES = BASE_QUERIES + 3
# The series with its request, and the best candidates: the request's languages and slots, the shortlist, their
# languages.
SERIES_MENU_QUERIES = BASE_QUERIES + 5
