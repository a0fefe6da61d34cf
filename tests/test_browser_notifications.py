"""The page where a person chooses how to hear of each kind of notification, in a real browser: reached from the
notifications list, a choice saved with a click on its label, the same page on a 390×844 phone without sideways
scrolling; screenshots for a person to look at, and axe-core."""

import pytest
from playwright.sync_api import expect

from notifications.models import Delivery, NotificationPreference

from .browser_support import MOBILE, assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def test_a_coordinator_chooses_to_read_comments_in_the_portal_only(page, live_server, demo_users):
    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    page.goto(f"{live_server.url}/notifiche/")
    page.get_by_test_id("preferences-link").click()
    expect(page.locator("main h1")).to_have_text("Come ricevi le notifiche")
    row = page.get_by_test_id("preference-comment")
    expect(row.get_by_label("Riepilogo giornaliero")).to_be_checked()
    expect(row.get_by_test_id("default")).to_have_count(1)
    assert_accessible(page, "the notification preferences")
    assert_static_files_loaded(page)
    screenshot(page, "notification-preferences-desktop")
    # Bootstrap Italia draws the radio over its label: a person clicks the label.
    row.locator("label[for=comment-in_app]").click()
    with page.expect_navigation():
        page.get_by_test_id("preferences-save").click()
    expect(page.get_by_text("Le tue scelte sono salvate.")).to_be_visible()
    expect(page.get_by_test_id("preference-comment").get_by_label("Solo nel portale")).to_be_checked()
    user = demo_users["coordinatore.cremona"]
    assert NotificationPreference.objects.get(user=user).delivery == Delivery.IN_APP


def test_the_page_fits_a_phone(mobile_page, live_server, demo_users):
    log_in(mobile_page, live_server.url, "mediatore.cremona@example.org")
    mobile_page.goto(f"{live_server.url}/notifiche/preferenze/")
    expect(mobile_page.get_by_test_id("preference-offer")).to_be_visible()
    width = mobile_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"the page scrolls sideways: {width}px"
    assert_accessible(mobile_page, "the notification preferences on a phone")
    screenshot(mobile_page, "notification-preferences-phone")
