"""The request page's "Offers and appointments": offers for the coordinators, appointments for whoever sees the
request (a mediator only their own), void ones only for the coordinators, times in Italian time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment, Offer

from . import factories as f
from .conftest import login_client

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def world(db):
    province = f.ProvinceFactory(slug="cremona")
    district = f.DistrictFactory(province=province, name="Cremona")
    office = f.OfficeFactory(district=district)
    provider = f.ProviderFactory(province=province)
    coordinator = f.coordinator(district=district)
    amina, youssef = (
        _mediator(provider, district, first, last) for first, last in (("Amina", "Riva"), ("Youssef", "Sala"))
    )
    request = f.MediationRequestFactory(office=office, status="scheduled", assigned_mediator=amina)
    now = timezone.now()
    Offer.objects.create(
        request=request,
        mediator=amina,
        status=Offer.Status.ACCEPTED,
        release_at=now - timedelta(days=9),
        expires_at=now - timedelta(days=7),
        answered_at=now - timedelta(days=8),
        created_by=coordinator,
    )
    Offer.objects.create(
        request=request,
        mediator=youssef,
        status=Offer.Status.DECLINED,
        release_at=now - timedelta(days=9),
        expires_at=now - timedelta(days=7),
        answered_at=now - timedelta(days=9),
        decline_reason="Già impegnato quel giorno.",
        created_by=coordinator,
    )
    next_week = timezone.localdate() + timedelta(days=7)
    planned = _appointment(request, amina, coordinator, datetime(next_week.year, next_week.month, next_week.day, 9, 30))
    held = _appointment(request, amina, coordinator, datetime(2026, 3, 10, 15, 0), status="held")
    cancelled = _appointment(request, amina, coordinator, datetime(2026, 3, 17, 15, 0), status="cancelled")
    void = _appointment(request, amina, coordinator, datetime(2026, 3, 24, 15, 0), status="void")
    # Youssef stood in once: the request is Amina's, the appointment his.
    stand_in = _appointment(request, youssef, coordinator, datetime(2026, 3, 3, 11, 0), status="held")
    return {
        "province": province,
        "district": district,
        "office": office,
        "coordinator": coordinator,
        "amina": amina,
        "youssef": youssef,
        "request": request,
        "planned": planned,
        "held": held,
        "cancelled": cancelled,
        "void": void,
        "stand_in": stand_in,
    }


def _mediator(provider, district, first, last):
    user = f.mediator(provider=provider, districts=[district], email=f"{first.lower()}@example.org")
    return f.MediatorFactory(
        provider=provider, districts=[district], user=user, email=user.email, first_name=first, last_name=last
    )


def _appointment(request, mediator, by, local_start, status="planned"):
    starts = local_start.replace(tzinfo=ROME)
    return Appointment.objects.create(
        request=request,
        mediator=mediator,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place="Sede del servizio",
        status=status,
        late_cancellation=status == "cancelled",
        cancel_reason="La famiglia non può venire." if status in ("cancelled", "void") else "",
        created_by=by,
    )


def page(user, request):
    return login_client(user).get(reverse("requests:detail", args=[request.pk]))


def listed_appointments(response) -> list[Appointment]:
    return list(response.context["summary_appointments"])


def test_the_coordinator_sees_offers_and_appointments(world):
    response = page(world["coordinator"], world["request"])
    assert response.status_code == 200
    assert response.context["show_offers"]
    assert {o.status for o in response.context["summary_offers"]} == {"accepted", "declined"}
    assert set(listed_appointments(response)) == {
        world[name] for name in ("planned", "held", "cancelled", "void", "stand_in")
    }
    html = response.content.decode()
    assert "Già impegnato quel giorno." in html
    assert 'data-testid="summary-offers"' in html


def test_province_staff_see_offers_and_appointments_too(world):
    response = page(f.province_staff(province=world["province"]), world["request"])
    assert response.status_code == 200
    assert len(response.context["summary_offers"]) == 2
    assert world["planned"] in listed_appointments(response)


def test_the_office_sees_the_appointments_but_not_the_offers(world):
    response = page(world["request"].requester, world["request"])
    assert response.status_code == 200
    assert not response.context["show_offers"]
    assert response.context["summary_offers"] == []
    html = response.content.decode()
    assert 'data-testid="summary-offers"' not in html
    assert "Già impegnato quel giorno." not in html
    assert {world["planned"], world["held"], world["cancelled"], world["stand_in"]} <= set(
        listed_appointments(response)
    )


def test_the_mediator_sees_only_their_own_appointments_and_no_offers(world):
    response = page(world["amina"].user, world["request"])
    assert response.status_code == 200
    listed = listed_appointments(response)
    assert listed and all(a.mediator == world["amina"] for a in listed)
    assert world["stand_in"] not in listed
    assert not response.context["show_offers"]
    html = response.content.decode()
    assert "Youssef" not in html
    assert "Già impegnato quel giorno." not in html


def test_a_mediator_who_only_stood_in_does_not_see_the_request(world):
    assert page(world["youssef"].user, world["request"]).status_code == 404


def test_a_void_appointment_is_hidden_from_the_office_and_shown_to_the_coordinator(world):
    void = world["void"]
    assert void not in listed_appointments(page(world["request"].requester, world["request"]))
    assert void not in listed_appointments(page(world["amina"].user, world["request"]))
    assert void in listed_appointments(page(world["coordinator"], world["request"]))


def test_a_cancelled_appointment_is_struck_through_and_says_it_was_late(world):
    html = page(world["request"].requester, world["request"]).content.decode()
    assert "<del>mar 17 mar 2026, 15:00–16:00</del>" in html
    assert "annullato all'ultimo momento" in html
    assert "<del>mar 10 mar 2026" not in html


def test_times_are_in_italian_time_and_each_appointment_links_to_its_page(world):
    html = page(world["request"].requester, world["request"]).content.decode()
    # 15:00 in Rome is 14:00 UTC in March: the page shows the Italian time.
    assert "mar 10 mar 2026, 15:00–16:00" in html
    for name in ("planned", "held", "cancelled"):
        assert world[name].get_absolute_url() in html


def test_each_appointment_page_opens_for_the_office(world):
    client = login_client(world["request"].requester)
    for name in ("planned", "held", "cancelled"):
        assert client.get(world[name].get_absolute_url()).status_code == 200


def test_a_request_not_yet_in_matching_has_no_summary(world):
    submitted = f.MediationRequestFactory(office=world["office"], status="submitted")
    response = page(world["coordinator"], submitted)
    assert response.status_code == 200
    assert 'data-testid="summary"' not in response.content.decode()


def test_a_request_in_matching_without_offers_says_so(world):
    matching = f.MediationRequestFactory(office=world["office"], status="matching")
    html = page(world["coordinator"], matching).content.decode()
    assert 'data-testid="summary-no-offers"' in html
    assert 'data-testid="summary-no-appointments"' in html
    assert 'data-testid="summary-no-offers"' not in page(matching.requester, matching).content.decode()


def test_each_reader_in_turn_sees_their_own_appointments_and_offers_of_each_request_from_sql_compiled_once(
    world, compilations
):
    other = f.MediationRequestFactory(office=world["office"], status="scheduled", assigned_mediator=world["amina"])
    other_planned = _appointment(other, world["amina"], world["coordinator"], datetime(2026, 4, 7, 9, 0))
    readers = {
        "coordinator": (world["coordinator"], {"planned", "held", "cancelled", "void", "stand_in"}, 2),
        "office": (world["request"].requester, {"planned", "held", "cancelled", "stand_in"}, 0),
        "amina": (world["amina"].user, {"planned", "held", "cancelled"}, 0),
    }
    for turn in range(2):  # compiled, then from what was compiled
        if turn:
            compilations.clear()
        for user, names, offers in readers.values():
            response = page(user, world["request"])
            assert set(listed_appointments(response)) == {world[name] for name in names}
            assert len(response.context["summary_offers"]) == offers
            assert listed_appointments(page(user, other)) == [other_planned]
    assert Appointment not in compilations and Offer not in compilations, "compiled again"
