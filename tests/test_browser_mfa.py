"""Multi-factor login in a real browser: a coordinator is led to set up the app, scans nothing but types the code,
logs out, and the next login asks for the code. Screenshots in test-artifacts/; axe-core on every page."""

import re
import time

import pytest
from playwright.sync_api import expect

from .browser_support import assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_coordinator_sets_up_the_authenticator_app_and_then_logs_in_with_a_code(page, live_server, browser_settings):
    browser_settings.MFA_REQUIRED_ROLES = ["coordinator", "province_staff", "administrator"]
    log_in(page, live_server.url, "coordinatore.cremona@example.org", through_the_form=True)
    # Led away from the home page: first the password once more, then the setup page.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    assert_accessible(page, "the password confirmation")
    page.locator("main input[name=password]").fill("mediazione-demo")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    screenshot(page, "mfa-setup")
    assert_accessible(page, "the authenticator app setup")
    assert_static_files_loaded(page)

    secret = page.locator("#authenticator_secret").input_value()
    page.locator("main input[name=code]").fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Attiva|Activate")).click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    screenshot(page, "mfa-recovery-codes")
    assert_accessible(page, "the recovery codes")

    page.goto(f"{live_server.url}/mediatori/")
    expect(page).to_have_url(f"{live_server.url}/mediatori/")

    page.context.clear_cookies()
    log_in(page, live_server.url, "coordinatore.cremona@example.org", through_the_form=True)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    screenshot(page, "mfa-login-code")
    assert_accessible(page, "the login code page")
    # Each code works once (allauth remembers used codes in the cache for one period): as if the period had passed.
    from django.core.cache import cache

    cache.clear()
    page.locator("main input[name=code]").fill(totp_code(secret))
    with page.expect_navigation():
        page.locator("main form[data-testid=mfa-authenticate] button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert_static_files_loaded(page)
