"""Nothing stuck, in a real browser (issue #16), on a desktop and on a 390×844 phone: the coordinator sees on the
candidates page who already declined (with the reason) or let the offer expire and offers again to one of them; finds
the request in the queue by phase and by the mediator's name, with its offers sent and answered; and on the plan page
a proposed time when the mediator is busy is shown as unavailable with the reason, never as a button."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.scoping import actor_for
from requests_app.models import ProposedSlot
from scheduling import services as scheduling_services
from scheduling.models import Appointment

from . import factories as f
from .browser_support import assert_accessible, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

ROME = ZoneInfo("Europe/Rome")
COORDINATOR = "coordinatrice.serio@example.org"


def _world():
    """A district with its coordinator and three Arabic-speaking mediators; a request in matching that Samira declined
    (on holiday) and Karim let expire, one still open with Leila; a request assigned to Samira with two proposed
    times next week, the first when she is busy on another request."""
    province = f.ProvinceFactory(slug="serio", name="Provincia del Serio")
    district = f.DistrictFactory(province=province, name="Alto Serio")
    office = f.OfficeFactory(district=district, name="Tutela Minori Alto Serio")
    provider = f.ProviderFactory(province=province, name="Cooperativa Ponti")
    coordinator = f.coordinator(district=district, email=COORDINATOR, first_name="Giulia", last_name="Ferrari")
    people = []
    for first, last in (("Samira", "Haddad"), ("Karim", "Benali"), ("Leila", "Mansour")):
        user = f.mediator(provider=provider, districts=[district], email=f"{first.lower()}@example.org")
        people.append(
            f.MediatorFactory(
                provider=provider,
                districts=[district],
                user=user,
                email=user.email,
                first_name=first,
                last_name=last,
                languages=["ara:Darija"],
            )
        )
    samira, karim, leila = people
    matching = f.MediationRequestFactory(office=office, case_code="AS-2026-101", status="matching", languages=["ara"])
    actor = actor_for(coordinator)
    declined, expiring = scheduling_services.offers_create(actor=actor, request=matching, tiers=[[samira, karim]])
    scheduling_services.offer_decline(offer=declined, by=samira.user, reason="In ferie fino a lunedì")
    scheduling_services.offers_tick(now=timezone.now() + timedelta(hours=25))
    scheduling_services.offers_create(actor=actor, request=matching, tiers=[[leila]])

    assigned = f.MediationRequestFactory(office=office, case_code="AS-2026-102", status="matching", languages=["ara"])
    (offer,) = scheduling_services.offers_create(actor=actor, request=assigned, tiers=[[samira]])
    scheduling_services.offer_accept(offer=offer, by=samira.user)
    today = timezone.localdate(timezone=ROME)
    tuesday = today + timedelta(days=7 - today.weekday() + 1)
    busy = datetime.combine(tuesday, time(10, 0), tzinfo=ROME)
    free = datetime.combine(tuesday + timedelta(days=1), time(10, 0), tzinfo=ROME)
    for start in (busy, free):
        ProposedSlot.objects.create(request=assigned, starts_at=start, ends_at=start + timedelta(minutes=90))
    other = f.MediationRequestFactory(office=office, case_code="AS-2026-099", status="scheduled", languages=["ara"])
    other.assigned_mediator = samira
    other.save()
    Appointment.objects.create(
        request=other,
        mediator=samira,
        starts_at=busy + timedelta(minutes=30),
        ends_at=busy + timedelta(minutes=120),
        mode="phone",
        created_by=coordinator,
    )
    return matching, assigned, people


def test_the_coordinator_offers_again_finds_the_request_and_is_never_proposed_a_busy_time(
    page, mobile_page, live_server
):
    matching, assigned, (samira, karim, leila) = _world()
    for viewer, size in ((page, "desktop"), (mobile_page, "phone")):
        log_in(viewer, live_server.url, COORDINATOR, f.PASSWORD)

        # The candidates page: who was asked, how they answered; the declined and the expired can be ticked again.
        viewer.goto(f"{live_server.url}/richieste/{matching.pk}/candidati/")
        candidates = viewer.get_by_test_id("candidates")
        expect(candidates).to_contain_text("In ferie fino a lunedì")
        expect(candidates).to_contain_text("Scaduta")
        expect(candidates).to_contain_text("rispondere entro")
        expect(viewer.get_by_role("checkbox", name="Offri a Leila Mansour")).to_have_count(0)
        screenshot(viewer, f"nothing-stuck-candidates-{size}")
        assert_accessible(viewer, f"the candidates page with answers ({size})")
        # Page width: nothing sideways on the phone except inside the table's own scroll.
        assert viewer.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

        # The queue: the phase "looking for a mediator", then the mediator's name in the search box.
        viewer.goto(f"{live_server.url}/richieste/")
        viewer.get_by_label("Fase").select_option(label="In cerca di mediatore")
        viewer.get_by_role("button", name="Cerca").click()
        expect(viewer.get_by_test_id("request-row")).to_have_count(1)
        expect(viewer.get_by_test_id("offer-counts")).to_contain_text("3 · 1")
        screenshot(viewer, f"nothing-stuck-queue-{size}")
        assert_accessible(viewer, f"the queue filtered by phase ({size})")
        viewer.goto(f"{live_server.url}/richieste/?q=haddad")
        expect(viewer.get_by_test_id("request-row")).to_have_count(2)  # assigned to Samira: AS-2026-099 and -102
        expect(viewer.get_by_test_id("assigned-mediator").first).to_contain_text("Samira Haddad")

        # The plan page: the busy Tuesday is not a button, and says why; Wednesday is.
        viewer.goto(f"{live_server.url}/richieste/{assigned.pk}/appuntamenti/")
        slots = viewer.get_by_test_id("slots")
        expect(slots.get_by_role("button")).to_have_count(1)
        expect(viewer.get_by_test_id("slot-unavailable")).to_contain_text("non disponibile")
        expect(viewer.get_by_test_id("slot-unavailable")).to_contain_text("già un appuntamento")
        screenshot(viewer, f"nothing-stuck-plan-{size}")
        assert_accessible(viewer, f"the plan page with a busy time ({size})")
        assert viewer.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Offered again to Samira, who had declined: a new offer, the old one kept.
    page.goto(f"{live_server.url}/richieste/{matching.pk}/candidati/")
    page.get_by_role("checkbox", name="Offri di nuovo a Samira Haddad").check()
    page.get_by_role("button", name="Invia le offerte").click()
    expect(page.locator(".messages")).to_contain_text("Offerte inviate: 1.")
    assert list(matching.offers.filter(mediator=samira).order_by("pk").values_list("status", flat=True)) == [
        "declined",
        "open",
    ]
    expect(page.get_by_test_id("candidates")).to_contain_text("2 offerte in tutto")
    screenshot(page, "nothing-stuck-candidates-offered-again-desktop")
