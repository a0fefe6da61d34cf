"""Shared pieces of the browser tests: Debian's Chromium driven by Playwright's sync API, axe-core, screenshots.

Chromium comes from the machine (``apt-get install chromium``), not from ``playwright install``, which cannot
download browsers here. Without it the browser tests fail with a message saying so, unless ``SKIP_BROWSER_TESTS=1``
says that skipping them is intended.

The test modules import the helpers and name this module in ``pytest_plugins`` for its fixtures; it is imported
before pytest sees it as a plugin, so its asserts are not rewritten (PYTEST_DONT_REWRITE silences the warning):
each assert here carries its own message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_ROOT / "test-artifacts"
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = {"serious", "critical"}


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("SKIP_BROWSER_TESTS") == "1":
        pytest.skip(f"{reason} (SKIP_BROWSER_TESTS=1)")
    pytest.fail(f"{reason}. Install it (apt-get install -y chromium) or set SKIP_BROWSER_TESTS=1 to skip these tests.")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Headless Chromium, for the tests of one module: Playwright's event loop stops when they are done."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"Chromium is missing at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("The playwright Python package is not installed")
    if not AXE_SCRIPT.exists():
        _skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}: run npm ci")
    # Playwright's sync API keeps an asyncio event loop running in this thread; while it does, Django refuses the
    # ORM calls of the test itself (building the demo data) with SynchronousOnlyOperation. Allowed here only while
    # the browser is open, so that the other test modules keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_settings(settings):
    # The live server renders templates without collectstatic: no manifest, so plain static storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings


@pytest.fixture
def demo_users(transactional_db, browser_settings):
    """The demo organisations and users, committed so that the live server's thread sees them."""
    from accounts import demo

    return demo.build()["users"]


def _new_page(browser, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="it-IT", timezone_id="Europe/Rome")
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Every static file (CSS, scripts, fonts, icons) must arrive: a 404 there is a broken look.
    page.failed_requests = []
    # A request the browser itself cancelled (net::ERR_ABORTED: the page navigated on while the favicon was still
    # on its way) is not a broken file; a missing one answers 404 below.
    page.on(
        "requestfailed",
        lambda request: (
            page.failed_requests.append(f"{request.url} ({request.failure})")
            if "ERR_ABORTED" not in (request.failure or "")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            page.failed_requests.append(f"{response.url} ({response.status})")
            if response.status >= 400 and "/static/" in response.url
            else None
        ),
    )
    # A script or style the Content Security Policy blocked is a broken page too (Chromium logs it on the console).
    page.on(
        "console",
        lambda message: (
            page.failed_requests.append(f"Content Security Policy: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return context, page


@pytest.fixture
def page(browser, live_server, demo_users) -> Iterator:
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server, demo_users) -> Iterator:
    context, page = _new_page(browser, MOBILE)
    yield page
    context.close()


def log_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD, *, through_the_form: bool = False) -> None:
    """The person signed in, on the page the login leads to (their home).

    Through the login form where the login is what a test tries (``through_the_form``: the login page itself, every
    role's landing, the authenticator app). Elsewhere the password is checked and the session made in the test, as
    Django's test client makes it (``force_login``: the portal's login signals run), and its cookie handed to the
    browser, which then opens the home page: the same signed-in browser without loading the login page and posting
    it (about half a second of each of some sixty tests)."""
    if through_the_form:
        page.goto(f"{base_url}/accounts/login/")
        page.locator("main input[name=login]").fill(email)
        page.locator("main input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        return
    from django.conf import settings

    from accounts.models import User

    from .conftest import login_client

    user = User.objects.get(email__iexact=email)
    assert user.is_active and user.check_password(password), f"{email} cannot log in with that password"
    session = login_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    page.goto(f"{base_url}/")


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """A PNG kept in test-artifacts/ (gitignored) for a person to look at: the whole page unless told otherwise."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now."""
    # Evaluated through the DevTools protocol, which the portal's Content Security Policy does not govern:
    # add_script_tag would be an inline script, which the policy blocks.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, label: str) -> None:
    """No axe-core violation of serious or critical impact; the failure lists each one with its elements."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core found serious or critical violations on {label}:\n{describe_violations(blocking)}"


_CONTRAST_JS = """
(element) => {
  const rgba = (color) => (color.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number).concat([1]).slice(0, 4);
  const luminance = ([r, g, b]) => {
    const linear = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  };
  let background = null;
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const color = rgba(getComputedStyle(node).backgroundColor);
    if (color[3] > 0.99) { background = color; break; }
  }
  background = background || [255, 255, 255, 1];
  const [a, b] = [luminance(rgba(getComputedStyle(element).color)), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


def contrast_ratio(locator) -> float:
    """Contrast of an element's text against the first opaque background behind it (WCAG formula).

    axe-core leaves text of the same colour as its background "to review" instead of failing it: this catches that.
    """
    return locator.evaluate(_CONTRAST_JS)


def assert_static_files_loaded(page) -> None:
    assert not page.failed_requests, "Static files failed to load:\n" + "\n".join(page.failed_requests)
