"""The demo requests of `manage.py demo_data`: many, in every status, consistent with their history, idempotent."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts import demo
from accounts.models import User
from accounts.scoping import visible
from mediators import demo as mediators_demo
from requests_app.models import (
    OPEN_STATUSES,
    Comment,
    MediationRequest,
    ProposedSlot,
    RequestCountry,
    RequestLanguage,
    Status,
    StatusChange,
    Urgency,
)
from requests_app.transitions import TRANSITIONS
from scheduling import demo as requests_demo
from scheduling.models import Appointment, Offer

from . import demo_promises
from .conftest import shared_world

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture(scope="module")
def _demo_module(django_db_setup, django_db_blocker):
    """The demo's people, mediators and requests, built once for the module (conftest.shared_world): every test
    reads them in its own transaction, rolled back after it, and the tests that build again see an existing demo,
    as a second `manage.py demo_data` does."""
    with shared_world(django_db_blocker):
        demo.build()
        mediators_demo.build()
        yield requests_demo.build()


@pytest.fixture
def demo_requests(_demo_module, db):
    return _demo_module


def snapshot():
    """Every demo request with all its rows, as plain values (ids included)."""
    return {
        name: list(model.objects.order_by("pk").values())
        for name, model in {
            "requests": MediationRequest,
            "languages": RequestLanguage,
            "countries": RequestCountry,
            "slots": ProposedSlot,
            "history": StatusChange,
            "comments": Comment,
            "offers": Offer,
            "appointments": Appointment,
        }.items()
    }


def test_there_are_at_least_60_requests_in_both_provinces_over_two_years(demo_requests):
    assert MediationRequest.objects.count() >= 60
    provinces = set(MediationRequest.objects.values_list("office__district__province__slug", flat=True))
    assert provinces == {"cremona", "bergamo"}
    districts = set(MediationRequest.objects.values_list("office__district__name", flat=True))
    assert {"Cremona", "Crema", "Bergamo"} <= districts
    now = timezone.now()
    oldest = MediationRequest.objects.order_by("created_at").first().created_at
    assert now - timedelta(days=731) < oldest < now - timedelta(days=365)
    assert not MediationRequest.objects.filter(created_at__gt=now).exists()


def test_every_status_has_demo_requests(demo_requests):
    statuses = set(MediationRequest.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)


def test_assistente_cremona_has_filed_several_with_one_submitted_and_one_draft(demo_requests):
    requester = User.objects.get(email="assistente.cremona@example.org")
    mine = MediationRequest.objects.filter(requester=requester)
    assert mine.count() >= 5
    assert mine.filter(status=Status.SUBMITTED).exists()
    assert mine.filter(status=Status.DRAFT).exists()
    # Every request of an office was filed by that office's social worker, and that worker sees them all.
    assert set(visible(requester, MediationRequest)) == set(mine)
    for email in ("assistente.crema@example.org", "assistente.bergamo@example.org"):
        assert MediationRequest.objects.filter(requester__email=email).count() >= 10


def test_the_coordinator_sees_the_submitted_request_of_assistente_cremona(demo_requests):
    coordinator = User.objects.get(email="coordinatore.cremona@example.org")
    submitted = MediationRequest.objects.filter(requester__email="assistente.cremona@example.org", status="submitted")
    assert set(submitted) <= set(visible(coordinator, MediationRequest))


def test_every_demo_row_passes_the_model_validation(demo_requests):
    for request in MediationRequest.objects.prefetch_related("languages", "countries", "slots"):
        request.full_clean()
        assert request.languages.exists(), request
        assert request.slots.exists(), request
        for related in ("languages", "countries", "slots"):
            for row in getattr(request, related).all():
                row.full_clean()


def test_the_languages_include_variants(demo_requests):
    codes = set(RequestLanguage.objects.values_list("code", flat=True))
    assert {"ara", "zho", "urd", "ukr", "sqi", "ron", "tir"} <= codes
    assert RequestLanguage.objects.filter(code="ara", variant="Darija marocchina").exists()
    assert RequestLanguage.objects.filter(code="zho", variant__icontains="wenzhou").exists()


def test_the_history_of_each_request_leads_to_its_status(demo_requests):
    """Each step starts where the last one ended, in time order; who acted fits the step (the office submits and
    evaluates, the coordinator decides); a rejection or cancellation says why."""
    for request in MediationRequest.objects.select_related("office").prefetch_related("history__by"):
        steps = list(request.history.all())
        status = "draft"
        when = request.created_at
        for step in steps:
            assert step.from_status == status, (request, step)
            assert step.at >= when, (request, step)
            if step.to_status in {"submitted", "evaluated"}:
                assert step.by == request.requester, (request, step)
            elif step.to_status != "cancelled":
                assert step.by.memberships.filter(district=request.office.district).exists(), (request, step)
            known = {t.target: t for t in TRANSITIONS.values()}
            if step.to_status in known and known[step.to_status].needs_reason:
                assert step.reason, (request, step)
            status, when = step.to_status, step.at
        assert status == request.status, request
        assert (request.submitted_at is None) == (not any(s.to_status == "submitted" for s in steps)), request
        assert step.at <= timezone.now() if steps else True


def test_urgent_open_requests_have_a_deadline_ahead(demo_requests):
    urgent = MediationRequest.objects.filter(urgency=Urgency.URGENT)
    assert urgent.filter(status=Status.SUBMITTED).exists() or urgent.filter(status__in=OPEN_STATUSES).exists()
    for request in urgent.filter(status__in=OPEN_STATUSES):
        assert request.deadline >= timezone.localdate(), request


def test_there_are_comments_and_a_request_made_again(demo_requests):
    assert Comment.objects.count() >= 3
    for comment in Comment.objects.select_related("request"):
        assert comment.request.status != Status.DRAFT
    assert MediationRequest.objects.exclude(copied_from=None).exists()


def test_no_demo_text_looks_like_an_identity(demo_requests):
    from requests_app.models import validate_case_code

    for request in MediationRequest.objects.all():
        validate_case_code(request.case_code)
        for text in (request.goal, request.sensitive_notes, request.place):
            assert "@" not in text
            assert not any(ch.isdigit() for ch in text), text


def test_building_the_requests_twice_gives_the_same_rows(demo_requests):
    first = snapshot()
    assert len(first["requests"]) >= 60
    requests_demo.build()
    assert snapshot() == first


def test_a_later_run_moves_the_dates_without_piling_rows_up(demo_requests, monkeypatch):
    counts = {name: len(rows) for name, rows in snapshot().items()}
    later = timezone.localdate() + timedelta(days=40)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    requests_demo.build()
    assert {name: len(rows) for name, rows in snapshot().items()} == counts


# --- Offers and appointments ------------------------------------------------------------------------------------------

WITH_MEDIATOR = [Status.ASSIGNED, Status.SCHEDULED, Status.COMPLETED, Status.EVALUATED, Status.CLOSED]


def test_there_are_offers_in_every_state(demo_requests):
    assert set(Offer.objects.values_list("status", flat=True)) == set(Offer.Status.values)
    # Still looking for a mediator: offers waiting for an answer, or for their turn; none accepted yet.
    matching = Offer.objects.filter(request__status=Status.MATCHING)
    assert {Offer.Status.OPEN, Offer.Status.QUEUED} <= set(matching.values_list("status", flat=True))
    assert not matching.filter(status=Offer.Status.ACCEPTED).exists()
    now = timezone.now()
    assert not matching.filter(status=Offer.Status.OPEN, expires_at__lte=now).exists()
    assert not matching.filter(status=Offer.Status.QUEUED, release_at__lte=now).exists()
    assert not Offer.objects.filter(answered_at__gt=now).exists()


def test_each_request_with_a_mediator_has_one_accepted_offer_by_that_mediator(demo_requests):
    for request in MediationRequest.objects.filter(status__in=WITH_MEDIATOR).prefetch_related("offers"):
        accepted = [o for o in request.offers.all() if o.status == Offer.Status.ACCEPTED]
        assert len(accepted) == 1, request
        assert request.assigned_mediator_id == accepted[0].mediator_id, request
        assigned_at = request.history.get(to_status=Status.ASSIGNED).at
        assert accepted[0].answered_at == assigned_at, request
        assert accepted[0].release_at <= assigned_at < accepted[0].expires_at, request
        # Nothing was left waiting once the request found its mediator.
        assert not request.offers.filter(status__in=[Offer.Status.OPEN, Offer.Status.QUEUED]).exists(), request
    assert not MediationRequest.objects.exclude(status__in=WITH_MEDIATOR).exclude(assigned_mediator=None).exists()
    others = Offer.objects.filter(request__status__in=WITH_MEDIATOR).exclude(status=Offer.Status.ACCEPTED)
    assert {Offer.Status.DECLINED, Offer.Status.WITHDRAWN, Offer.Status.EXPIRED} <= set(
        others.values_list("status", flat=True)
    )


def test_offers_go_to_mediators_who_speak_the_language_and_serve_the_district(demo_requests):
    offers = Offer.objects.select_related("request__office__district", "mediator").prefetch_related(
        "request__languages", "mediator__languages", "mediator__districts"
    )
    in_district = 0
    for offer in offers:
        asked = {language.code for language in offer.request.languages.all()}
        assert asked & {language.code for language in offer.mediator.languages.all()}, offer
        in_district += offer.request.office.district in offer.mediator.districts.all()
        if offer.request.status not in {Status.COMPLETED, Status.EVALUATED, Status.CLOSED, Status.CANCELLED}:
            assert offer.mediator.is_active, offer
    # Only where nobody of the district speaks the language does an offer go further.
    assert in_district >= 0.9 * offers.count()


def test_appointments_follow_the_life_of_their_request(demo_requests):
    now = timezone.now()
    assert not Appointment.objects.exclude(request__status__in=WITH_MEDIATOR[1:]).exists()
    for request in MediationRequest.objects.filter(status__in=WITH_MEDIATOR[1:]).prefetch_related("appointments"):
        appointments = list(request.appointments.all())
        assert appointments, request
        scheduled_at = request.history.get(to_status=Status.SCHEDULED).at
        for appointment in appointments:
            appointment.full_clean()
            assert appointment.mediator_id == request.assigned_mediator_id, appointment
            assert appointment.starts_at > scheduled_at, appointment
        if request.status == Status.SCHEDULED:
            assert any(a.status == "planned" and a.starts_at > now for a in appointments), request
        else:
            completed_at = request.history.get(to_status=Status.COMPLETED).at
            assert all(a.ends_at < completed_at and a.status != "planned" for a in appointments), request
    assert not Appointment.objects.filter(status="planned", starts_at__lt=now).exists()
    assert not Appointment.objects.filter(status__in=["held", "no_show"], ends_at__gt=now).exists()
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert statuses == set(Appointment.Status.values)
    assert Appointment.objects.filter(status="cancelled", late_cancellation=True).exists()
    assert Appointment.objects.filter(status="cancelled", late_cancellation=False).exists()


def test_no_mediator_is_in_two_live_appointments_at_once_and_travel_time_is_kept(demo_requests, settings):
    demo_promises.assert_no_mediator_is_in_two_places_at_once(settings.TRAVEL_BUFFER_MINUTES)


def test_mediatore_cremona_works_on_requests_of_assistente_cremona_last_this_and_next_week(demo_requests):
    # As the README says, whatever the day: tests/test_any_day.py checks it on every day of a week.
    demo_promises.assert_held_last_week_planned_this_week_and_next()
    mediator_user = User.objects.get(email="mediatore.cremona@example.org")
    mine = demo_promises.showcase_appointments()
    # The mediator reads those requests (they are assigned to her) and their appointments.
    requests = MediationRequest.objects.filter(appointments__in=mine).distinct()
    assert set(requests) <= set(visible(mediator_user, MediationRequest))
    assert set(mine) <= set(visible(mediator_user, Appointment))


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 12, 3, 10, 0, tzinfo=ROME), datetime(2026, 12, 5, 18, 0, tzinfo=ROME)],
    ids=["thursday", "saturday"],
)
def test_the_week_of_mediatore_cremona_on_a_thursday_and_a_saturday(demo_world, moment):
    """Issue #13: from Thursday on, nothing planned was left in the current week. Now the week's last working day
    has one, and on a Friday or Saturday the weekend does."""
    with time_machine.travel(moment, tick=False):
        mediators_demo.build()
        requests_demo.build()
        demo_promises.assert_held_last_week_planned_this_week_and_next()
        planned = demo_promises.local_days(demo_promises.showcase_appointments().filter(status="planned"))
        later_this_week = {day for day in planned if day < date(2026, 12, 7)}
        assert later_this_week == ({date(2026, 12, 4)} if moment.day == 3 else {date(2026, 12, 6)})


def test_mediatore_cremona_has_a_weekly_series_on_a_request_of_assistente_cremona(demo_requests):
    from scheduling.models import AppointmentSeries

    demo_promises.assert_the_weekly_series_is_on_tuesdays_at_16()
    planned = AppointmentSeries.objects.get()
    occurrences = list(planned.occurrences.order_by("starts_at"))
    assert {moment.time() for moment in map(timezone.localtime, (a.starts_at for a in occurrences))} == {
        requests_demo.SERIES_TIME
    }
    # A second run keeps the same series and the same occurrences.
    requests_demo.build()
    assert AppointmentSeries.objects.get().pk == planned.pk
    assert [a.pk for a in planned.occurrences.order_by("starts_at")] == [a.pk for a in occurrences]
