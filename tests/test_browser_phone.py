"""The mediator's phone, paper and the menu in a real browser (issue 16).

- every page a mediator uses fits 360 and 390 px without sideways scrolling (tables become cards), with large touch
  targets, and the session report is written from the appointment with its times already there;
- the service worker keeps the calendar for reading without signal and never shows it to the next person: after
  logout the copy is gone, offline and online;
- the request, the appointment, the calendar and the timesheet print without menu, buttons or footer;
- the main menu stays on one line at 1366 px for every role.
Screenshots land in test-artifacts/ (phone-*, print-*, menu-*); axe-core checks each phone page.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from scheduling.models import Appointment
from timesheets.models import Timesheet

from .browser_support import _new_page, assert_accessible, assert_static_files_loaded, log_in, screenshot
from .demo_snapshot import whole_demo

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

AMINA = "mediatore.cremona@example.org"  # Amina El Idrissi, mediator in Cremona
WEI = "mediatore.crema@example.org"  # Wei Zhang, mediator in Crema
PHONES = {"360x740": {"width": 360, "height": 740}, "390x844": {"width": 390, "height": 844}}


@pytest.fixture
def demo_world(demo_users):
    """The whole demo (`manage.py demo_data`): requests, appointments, reports and timesheets around today."""
    return whole_demo(demo_users)


def _fits(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _small_targets(page) -> list[str]:
    """Buttons and fields of the page's content smaller than 44 px in height (the touch target asked for)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('main .btn, main .form-control, main .form-select'))
             .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 43.5)
             .map((el) => `${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" `
                          + Math.round(el.getBoundingClientRect().height))"""
    )


def _amina_pages(users) -> dict[str, str]:
    amina = users["mediatore.cremona"]
    appointments = Appointment.objects.filter(mediator__user=amina).order_by("starts_at")
    to_report = appointments.filter(status="held", report__isnull=True, starts_at__lt=timezone.now()).first()
    coming = appointments.filter(starts_at__gte=timezone.now()).first() or appointments.last()
    assert to_report is not None and coming is not None, "the demo should give Amina appointments to show"
    return {
        "home": reverse("home"),
        "offers": reverse("scheduling:offers"),
        "calendar": reverse("scheduling:calendar"),
        "calendar-month": reverse("scheduling:calendar") + "?vista=mese",
        "appointment": reverse("scheduling:appointment", args=[coming.pk]),
        "report-form": reverse("sessions:report_write", args=[to_report.pk]),
        "reports": reverse("sessions:reports"),
        "timesheets": reverse("timesheets:mine"),
        "notifications": reverse("notifications:list"),
        "evaluations": reverse("sessions:evaluation_averages"),
        "profile": reverse("mediators:me"),
    }


def test_every_page_a_mediator_uses_fits_a_phone_without_sideways_scrolling(browser, live_server, demo_world):
    pages = _amina_pages(demo_world)
    for size, viewport in PHONES.items():
        context, page = _new_page(browser, viewport)
        log_in(page, live_server.url, AMINA)
        for name, url in pages.items():
            response = page.goto(live_server.url + url)
            assert response.status == 200, f"{name} ({url}): {response.status}"
            scroll_width, inner_width = _fits(page)
            assert scroll_width <= inner_width, f"{name} at {size} scrolls sideways: {scroll_width} > {inner_width}"
            if size == "390x844":
                assert not _small_targets(page), f"{name}: touch targets under 44 px: {_small_targets(page)}"
                screenshot(page, f"phone-{name}")
                assert_accessible(page, f"{name} on a phone")
        assert_static_files_loaded(page)
        context.close()


def test_on_a_phone_a_table_becomes_cards_each_value_under_its_column_name(browser, live_server, demo_world):
    context, page = _new_page(browser, PHONES["390x844"])
    log_in(page, live_server.url, AMINA)
    page.goto(live_server.url + reverse("timesheets:mine"))

    table = page.locator("main table[data-testid=lines]").first
    assert "table-stack" in table.get_attribute("class")
    cell = table.locator("tbody tr").first.locator("td").first
    assert cell.get_attribute("data-label") == "Giorno"
    assert cell.evaluate("(el) => getComputedStyle(el).display") == "block"
    # Still a table for screen readers.
    assert table.get_attribute("role") == "table" and cell.get_attribute("role") == "cell"
    screenshot(page, "phone-timesheet-cards")

    # On a desktop the same table stays a grid.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert cell.evaluate("(el) => getComputedStyle(el).display") == "table-cell"
    context.close()


def test_the_mediator_writes_a_report_on_the_phone_with_the_times_of_the_appointment(browser, live_server, demo_world):
    amina = demo_world["mediatore.cremona"]
    appointment = (
        Appointment.objects.filter(
            mediator__user=amina, status="held", report__isnull=True, starts_at__lt=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    context, page = _new_page(browser, PHONES["390x844"])
    log_in(page, live_server.url, AMINA)
    page.goto(live_server.url + reverse("scheduling:appointment", args=[appointment.pk]))
    page.get_by_role("link", name="Scrivi il resoconto").click()

    starts, ends = (
        timezone.localtime(t, timezone.get_default_timezone()) for t in (appointment.starts_at, appointment.ends_at)
    )
    expect(page.locator("input[name=start]")).to_have_value(starts.strftime("%H:%M"))
    expect(page.locator("input[name=end]")).to_have_value(ends.strftime("%H:%M"))
    held = page.locator("[data-testid=outcome] label", has_text="Svolto").first
    assert held.bounding_box()["height"] >= 44
    held.click()
    expect(page.locator("[data-testid=outcome] input[value=held]")).to_be_checked()
    screenshot(page, "phone-report-form-filled")
    page.get_by_test_id("report-submit").click()

    expect(page.locator(".alert-success")).to_contain_text("Il resoconto è stato inviato")
    appointment.refresh_from_db()
    assert appointment.report.status == "submitted"
    assert (appointment.report.started_at, appointment.report.ended_at) == (appointment.starts_at, appointment.ends_at)
    context.close()


def _page_cached(page, path: str) -> bool:
    return page.evaluate(
        """async (path) => {
             if (!(await caches.has('mediazione-pages'))) { return false; }
             const cache = await caches.open('mediazione-pages');
             return !!(await cache.match(new URL(path, location.origin).href));
           }""",
        path,
    )


def test_after_logout_the_service_worker_never_shows_the_previous_persons_calendar(browser, live_server, demo_world):
    calendar = reverse("scheduling:calendar")
    context, page = _new_page(browser, PHONES["390x844"])
    log_in(page, live_server.url, AMINA)
    page.goto(live_server.url + calendar)
    assert page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)") == (
        live_server.url + "/"
    )
    # Once the worker controls the page, opening the calendar keeps a copy for reading without signal.
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.wait_for_function(
        """async (url) => { const c = await caches.open('mediazione-pages'); return !!(await c.match(url)); }""",
        arg=live_server.url + calendar,
    )
    # In a basement with no signal: Amina reads her calendar.
    context.set_offline(True)
    page.goto(live_server.url + calendar)
    expect(page.get_by_test_id("current-user")).to_have_text("Amina El Idrissi")
    screenshot(page, "phone-offline-calendar")
    context.set_offline(False)

    # She logs out: the copy is gone.
    page.goto(live_server.url + calendar)
    page.get_by_role("button", name="Esci").first.click()
    expect(page.locator("main input[name=login]")).to_be_visible()
    page.wait_for_function("async () => !(await caches.has('mediazione-pages'))")
    assert not _page_cached(page, calendar)

    # Offline, the calendar's address gives the offline page, with nothing of Amina's.
    context.set_offline(True)
    page.goto(live_server.url + calendar)
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    assert "Amina" not in page.content() and "El Idrissi" not in page.content()
    screenshot(page, "phone-offline-after-logout")
    context.set_offline(False)

    # Wei logs in on the same phone: her calendar, never Amina's.
    log_in(page, live_server.url, WEI)
    page.goto(live_server.url + calendar)
    expect(page.get_by_test_id("current-user")).to_have_text("Wei Zhang")
    assert "Amina" not in page.content()
    context.set_offline(True)
    page.goto(live_server.url + calendar)
    expect(page.get_by_test_id("current-user")).to_have_text("Wei Zhang")
    assert "Amina" not in page.content()
    context.set_offline(False)
    context.close()


def test_the_request_the_appointment_the_calendar_and_the_timesheet_print_without_menu_buttons_or_footer(
    browser, live_server, demo_world
):
    coordinator = demo_world["coordinatore.cremona"]
    appointment = Appointment.objects.filter(request__office__district__name="Cremona").order_by("starts_at").last()
    sheet = Timesheet.objects.filter(district__name="Cremona").order_by("-month").first()
    assert appointment is not None and sheet is not None
    pages = {
        "request": reverse("requests:detail", args=[appointment.request_id]),
        "appointment": reverse("scheduling:appointment", args=[appointment.pk]),
        "calendar": reverse("scheduling:calendar"),
        "timesheet": sheet.get_absolute_url(),
    }
    context, page = _new_page(browser, {"width": 1024, "height": 1400})
    log_in(page, live_server.url, coordinator.email)
    page.emulate_media(media="print")
    for name, url in pages.items():
        assert page.goto(live_server.url + url).status == 200, name
        for hidden in (
            "header.it-header-wrapper",
            "footer.it-footer",
            ".breadcrumb-container",
            "main .btn",
            "main form",
        ):
            for element in page.locator(hidden).all():
                expect(element).to_be_hidden()
        expect(page.locator("main h1")).to_be_visible()
        if name == "calendar":
            expect(page.get_by_test_id("calendar-period")).to_be_visible()
        rows = page.locator("main tbody tr")
        if rows.count():
            assert rows.first.evaluate("(el) => getComputedStyle(el).breakInside") == "avoid", name
        screenshot(page, f"print-{name}")
    context.close()


def test_the_main_menu_stays_on_one_line_at_1366_px_for_every_role(browser, live_server, demo_users):
    for username in (
        "mediatore.cremona",
        "assistente.cremona",
        "coordinatore.cremona",
        "provincia.cremona",
        "asl.cremona",
        "admin",
    ):
        context, page = _new_page(browser, {"width": 1366, "height": 800})
        log_in(page, live_server.url, f"{username}@example.org", DEMO_PASSWORD)
        nav = page.locator("#main-nav .navbar-nav")
        height = nav.evaluate("(el) => el.getBoundingClientRect().height")
        item = nav.locator(".nav-item").first.evaluate("(el) => el.getBoundingClientRect().height")
        assert height <= item + 1, f"the menu of {username} wraps: {height}px for items of {item}px"
        if username == "provincia.cremona":
            page.get_by_test_id("nav-more").click()
            expect(
                page.locator("#main-nav .dropdown-menu").get_by_role("link", name="Registro degli accessi")
            ).to_be_visible()
            page.wait_for_timeout(400)  # the dropdown's fade
            screenshot(page, "menu-1366-province", full_page=False)
            assert_accessible(page, "the menu's More dropdown")
        context.close()


def test_the_reporting_dashboard_offers_the_report_first_and_fits_a_phone(browser, live_server, demo_world):
    context, page = _new_page(browser, PHONES["390x844"])
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(live_server.url + reverse("reporting:dashboard"))

    form = page.get_by_test_id("job-form")
    figures = page.get_by_test_id("key-figures")
    assert form.bounding_box()["y"] < figures.bounding_box()["y"]
    scroll_width, inner_width = _fits(page)
    assert scroll_width <= inner_width, f"the dashboard scrolls sideways: {scroll_width} > {inner_width}"
    screenshot(page, "phone-reporting-dashboard", full_page=False)
    assert_accessible(page, "the reporting dashboard on a phone")
    context.close()
