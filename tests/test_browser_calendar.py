"""The bounded calendars and candidates page in a real browser, at 1366 px and on a 390 px phone: the province's month
is a table of counts per district and day, a cell opens the district's day, the candidates page shows the first
twenty and more on asking. Screenshots are kept in test-artifacts/ (calendar-*.png, candidates-*.png)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Provider, User
from scheduling.models import Appointment

from . import factories as f
from .browser_support import MOBILE, _new_page, assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

ROME = ZoneInfo("Europe/Rome")
LAPTOP = {"width": 1366, "height": 768}
VIEWPORTS = {"1366": LAPTOP, "390": MOBILE}
NAMES = [
    ("Samira", "Haddad"),
    ("Youssef", "El Amrani"),
    ("Olena", "Kovalenko"),
    ("Wei", "Chen"),
    ("Fatou", "Diop"),
    ("Marie", "Dubois"),
    ("Ana", "Popescu"),
    ("Arben", "Hoxha"),
    ("Priya", "Sharma"),
    ("Tigist", "Bekele"),
    ("Iryna", "Shevchenko"),
    ("Karim", "Mansour"),
]


@pytest.fixture
def busy_province(demo_users):
    """About a hundred appointments this month in the districts of Cremona and Crema: the past ones held (a few
    no-shows and cancellations), the ones to come planned; and a request of Cremona in matching, in Arabic
    (Darija), that 26 mediators could do."""
    cremona_office = demo_users["assistente.cremona"].memberships.get().office
    crema_office = demo_users["assistente.crema"].memberships.get().office
    provider = Provider.objects.get(province=cremona_office.district.province)
    mediators = [
        f.MediatorFactory(
            provider=provider,
            districts=[cremona_office.district, crema_office.district],
            first_name=first,
            last_name=last,
            languages=["ara:Darija" if n % 3 == 0 else "ara"],
        )
        for n, (first, last) in enumerate(NAMES)
    ]
    requests = [
        f.MediationRequestFactory(office=office, status="scheduled", case_code=f"TM-2026-{n:03d}", languages=[lang])
        for n, (office, lang) in enumerate(
            [(cremona_office, "ara"), (cremona_office, "ukr"), (crema_office, "zho"), (cremona_office, "fra")] * 3
        )
    ]
    coordinator = User.objects.get(email="coordinatore.cremona@example.org")
    today = timezone.localdate(timezone=ROME)
    first = today.replace(day=1)
    day, n = first, 0
    while day.month == first.month:
        if day.weekday() < 5:
            for k in range(4):
                n += 1
                starts = datetime.combine(day, time(9 + 2 * (k % 2) + 5 * (k // 2)), tzinfo=ROME)
                status = "held" if day < today else "planned"
                if n % 11 == 0:
                    status = "cancelled"
                elif n % 13 == 0 and day < today:
                    status = "no_show"
                Appointment.objects.create(
                    request=requests[(n + day.day) % len(requests)],
                    mediator=mediators[(n + k) % len(mediators)],
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=90),
                    status=status,
                    created_by=coordinator,
                )
        day += timedelta(days=1)
    for n in range(14):
        f.MediatorFactory(
            provider=provider,
            districts=[cremona_office.district],
            first_name=f"Mediatrice{n}",
            last_name=f"Araba{n:02d}",
            languages=["ara:egiziano" if n % 2 else "ara"],
        )
    matching = f.MediationRequestFactory(
        office=cremona_office, status="matching", case_code="TM-2026-777", languages=["ara:Darija"]
    )
    return {"matching": matching, "today": today}


@pytest.mark.parametrize("width", ["1366", "390"])
def test_the_province_month_is_a_summary_whose_cells_open_a_districts_day(browser, live_server, busy_province, width):
    context, page = _new_page(browser, VIEWPORTS[width])
    try:
        log_in(page, live_server.url, "provincia.cremona@example.org")
        page.goto(f"{live_server.url}/calendario/?vista=mese")
        summary = page.get_by_test_id("calendar-summary")
        expect(summary).to_be_visible()
        expect(page.get_by_test_id("summary-row")).to_have_count(2)  # Crema and Cremona
        expect(page.get_by_test_id("calendar-item")).to_have_count(0)
        if width == "390":
            # The table scrolls inside its box; the page itself never scrolls sideways.
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(page, f"calendar-province-month-{width}")
        assert_accessible(page, f"the province's month ({width} px)")
        assert_static_files_loaded(page)

        cremona = page.get_by_test_id("summary-row").filter(has_text="Cremona")
        # A day with a cancellation: the cell counts it apart, the day lists it struck through.
        cremona.locator("td a", has=page.locator(".cs.c")).first.click()
        expect(page.get_by_test_id("day-appointments")).to_be_visible()
        expect(page.get_by_test_id("day-appointment").filter(has_text="Annullat")).to_have_count(1)
        expect(page.locator("main h1")).to_contain_text("Cremona")
        assert page.get_by_test_id("day-appointment").count() >= 1
        screenshot(page, f"calendar-district-day-{width}")
        assert_accessible(page, f"a district's day ({width} px)")
    finally:
        context.close()


@pytest.mark.parametrize("width", ["1366", "390"])
def test_the_candidates_page_shows_the_first_twenty_and_finds_anyone_by_name(
    browser, live_server, busy_province, width
):
    context, page = _new_page(browser, VIEWPORTS[width])
    try:
        log_in(page, live_server.url, "coordinatore.cremona@example.org")
        page.goto(f"{live_server.url}/richieste/{busy_province['matching'].pk}/candidati/")
        expect(page.get_by_test_id("candidate-row")).to_have_count(20)
        expect(page.get_by_test_id("candidates-count")).to_contain_text("I primi 20 dei 26 mediatori")
        # The Darija speakers come first.
        expect(page.get_by_test_id("candidate-row").first).to_contain_text("parla Darija")
        screenshot(page, f"candidates-{width}")
        assert_accessible(page, f"the candidates page ({width} px)")
        page.get_by_test_id("candidates-more").click()
        expect(page.get_by_test_id("candidate-row")).to_have_count(26)
        expect(page.get_by_test_id("candidates-more")).to_have_count(0)
        # Why is someone missing: a name, never the whole roster in a menu.
        page.get_by_label("Nome o email").fill("Mediatrice1")
        page.get_by_role("button", name="Verifica").click()
        expect(page.get_by_test_id("why-found")).to_contain_text("Scegli un mediatore")
        page.get_by_role("link", name="Mediatrice1 Araba01").click()
        expect(page.get_by_test_id("why")).to_contain_text("soddisfa tutte le condizioni")
        screenshot(page, f"candidates-why-{width}")
    finally:
        context.close()
