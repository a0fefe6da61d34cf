import os
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.test.utils import override_settings

from accounts import demo

# MEDIAZIONE_TEST_NOW=2026-12-06T23:30 runs the whole suite as if it were that moment (Italian time unless the value
# says otherwise), with the clock ticking from there: the suite must pass on any day and at any hour, and this is how
# to try "another day" (a Sunday night, 31 December, the night the clocks change). See the README, Testing.
TEST_NOW_ENV = "MEDIAZIONE_TEST_NOW"
_suite_clock = None


def test_now() -> datetime | None:
    """The moment MEDIAZIONE_TEST_NOW names, aware; None when it is not set."""
    value = os.environ.get(TEST_NOW_ENV, "").strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/Rome"))


test_now.__test__ = False  # a helper, not a test


def pytest_configure(config):
    global _suite_clock
    moment = test_now()
    if moment is not None:
        _suite_clock = time_machine.travel(moment, tick=True)
        _suite_clock.start()


def pytest_unconfigure(config):
    if _suite_clock is not None:
        _suite_clock.stop()


# The files that take longest, first, longest first (measured on PostgreSQL, 6 December 2026): xdist hands out whole
# files (--dist loadfile), one more to a worker as it runs short, in this order (the Makefile passes
# --no-loadscope-reorder: by default xdist sorts the files by their number of tests, which sent the browser tests, few
# and slow, to the end). The longest going first, the last ones out are short and both workers finish together.
# Within a file the order is unchanged; files not named keep theirs, after these.
LONG_FILES_FIRST = (
    "test_permissions.py",
    "test_any_day.py",
    "test_fuzz_forms.py",
    "test_browser_home.py",
    "test_hostile_input.py",
    "test_browser.py",
    "test_celery_reliability.py",
    "test_browser_phone.py",
    "test_reporting_aggregates.py",
    "test_browser_guide.py",
    "test_browser_reporting.py",
    "test_browser_calendar.py",
    "test_browser_reports.py",
    "test_browser_roster.py",
    "test_browser_batches.py",
    "test_browser_faq.py",
    "test_browser_requests.py",
    "test_fixed_queries.py",
    "test_query_counts.py",
    "test_browser_lists.py",
    "test_csp.py",
    "test_browser_scheduling.py",
    "test_api_permissions.py",
    "test_emails.py",
    "test_demo_data.py",
    "test_settings.py",
    "test_browser_",
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        name = item.path.name
        return next((n for n, start in enumerate(LONG_FILES_FIRST) if name.startswith(start)), len(LONG_FILES_FIRST))

    items.sort(key=rank)  # stable: each file's tests keep their order


def pytest_report_header(config):
    moment = test_now()
    return f"{TEST_NOW_ENV}: the clock starts at {moment.isoformat()}" if moment else None


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    """The test client and the live server speak plain HTTP: no redirect to HTTPS (tests/test_hardening.py checks
    the production settings in a subprocess). Session-wide, so that the live server starts without it too."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True, scope="session")
def _shared_cache_in_process():
    """The pages are measured as production serves them, sessions and counters read from the shared cache (Redis).
    Without CACHE_URL the settings keep no shared cache (gunicorn's processes would each keep their own copy of a
    session); the suite is one process per worker and uses an in-process one instead."""
    from django.conf import settings

    if not settings.CACHES["shared"]["BACKEND"].endswith("DummyCache"):
        yield
        return
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
    with override_settings(CACHES={**settings.CACHES, "shared": local}):
        yield


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    # Hashing demo passwords with PBKDF2 for every test would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo users click through without an authenticator app, as in `make demo`; tests/test_mfa.py turns the
    # requirement on.
    settings.MFA_REQUIRED_ROLES = []
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _eager_celery(request, settings):
    """Tasks run in the test process, except in the tests that start a real worker (tests/test_celery_worker.py).

    Both switches say so, the Celery app's and the setting the portal reads (the outbox, the report jobs, /health/),
    also when CI configures a Redis broker: otherwise an e-mail would be handed to a broker no worker reads."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    from mediazione.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _italian_to_start_with():
    # A page of an English-speaking user leaves English active in the thread (the language middleware activates the
    # person's language): each test starts in the portal's language, as a request without a choice would.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Login rate limits live in the cache, sessions and counters in the shared one: a test must not inherit another
    # test's failed logins, nor a counter of rows another test's transaction wrote and rolled back.
    from django.core.cache import caches

    for alias in ("default", "shared"):
        caches[alias].clear()
    yield
    for alias in ("default", "shared"):
        caches[alias].clear()


@pytest.fixture
def demo_world(db):
    """The demo organisations and users of `manage.py demo_data`."""
    return demo.build()


def login_client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def client_for():
    return login_client


@contextmanager
def shared_world(django_db_blocker):
    """A world built once for a whole module, inside a transaction rolled back at the module's end.

    Each test of the module still runs in its own transaction (pytest-django's ``db``), which becomes a savepoint
    of this one: what a test writes is undone before the next test, and the world is never rebuilt. Use it for
    modules whose every test needs the same large world (the permission matrix: ~1,600 cases on one demo world).
    The settings the per-test fixtures set (fast hashing, e-mails kept in memory) are set here too, since this runs
    before them.
    """
    with django_db_blocker.unblock():
        with override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            MFA_REQUIRED_ROLES=[],
        ):
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                yield
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)


@pytest.fixture
def compilations(monkeypatch):
    """The model of each query Django compiles (the ORM compiles every query it runs): core/compiled.py's tests."""
    counted = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        counted.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return counted
