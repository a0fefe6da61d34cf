"""Background work is never lost and never stuck, on the embedded defaults (SQLite, no broker): the sweeper, the
outbox, the claim of a silent job, atomic files, what the job page says, and a cache that is down.

The same cases against a real worker, PostgreSQL and Redis are in tests/test_celery_reliability.py."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from kombu.exceptions import OperationalError

from accounts import demo
from accounts.models import Invitation, Role
from accounts.scoping import actor_for
from accounts.services import invitation_create
from core import outbox
from core.models import PendingTask
from reporting import exports, services
from reporting.models import ReportJob

from . import factories as f
from .conftest import login_client
from .test_reporting import YEAR_FROM, YEAR_TO, build_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture
def data():
    return build_data()


@pytest.fixture
def broker(settings, monkeypatch):
    """As with a real broker (not eager); ``broker.down`` makes every send fail as Redis refusing connections."""

    class Broker:
        down = False
        sent: list = []

        def send(self, name, args=None, **kwargs):
            if self.down:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
            self.sent.append((name, list(args or [])))

    fake = Broker()
    fake.sent = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Every task leaves through the Celery app's send_task (the outbox's and the report jobs' alike).
    monkeypatch.setattr("core.outbox.current_app.send_task", fake.send)
    return fake


def _job(data, **extra):
    return services.report_job_create(
        actor=actor_for(data.staff),
        province=data.province,
        project=data.project,
        date_from=YEAR_FROM,
        date_to=YEAR_TO,
        format=extra.pop("fmt", "csv"),
        **extra,
    )


# --- Enqueue never loses work and never answers 500 --------------------------------------------------------------


def test_a_report_asked_for_with_the_broker_down_waits_for_it_and_the_sweeper_sends_it(
    data, broker, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_GRACE_SECONDS = 30
    broker.down = True
    client = login_client(data.staff)
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("reporting:jobs"),
                {"dal": "2025-01-01", "al": "2025-12-31", "progetto": data.project.pk, "formato": "csv"},
            )
        job = ReportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
        assert (job.status, job.enqueued_at, job.state) == ("queued", None, "waiting_service")
        page = client.get(job.get_absolute_url()).content.decode()
        assert 'data-state="waiting_service"' in page and "hx-trigger" in page
        # The sweeper leaves it alone while the web process may still be sending it, then sends it once Redis
        # answers.
        clock.shift(dt.timedelta(seconds=10))
        assert services.report_jobs_sweep()["sent"] == 0
        clock.shift(dt.timedelta(seconds=21))
        assert services.report_jobs_sweep()["sent"] == 0  # still down: nothing lost, nothing sent
        broker.down = False
        assert services.report_jobs_sweep()["sent"] == 1
    job.refresh_from_db()
    assert broker.sent == [("reporting.tasks.report_job_run_task", [str(job.pk)])]
    assert job.enqueued_at is not None and job.state == "queued"


def test_an_invitation_asked_for_with_the_broker_down_is_kept_and_sent_by_the_sweeper(
    broker, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_GRACE_SECONDS = 30
    office = f.OfficeFactory()
    coordinator = f.coordinator(district=office.district)
    broker.down = True
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=actor_for(coordinator), email="nuova@example.org", role=Role.SOCIAL_WORKER, office=office
        )
    pending = PendingTask.objects.get()
    assert pending.attempts == 1 and "Connection refused" in pending.last_error
    assert pending.args == [invitation.pk]
    broker.down = False
    with time_machine.travel(NOW + dt.timedelta(seconds=4), tick=False):
        assert outbox.outbox_sweep() == 0  # its backoff (5 s) has not passed
    with time_machine.travel(NOW + dt.timedelta(seconds=6), tick=False):
        assert outbox.outbox_sweep() == 1
    assert broker.sent == [("accounts.tasks.send_invitation_email_task", [invitation.pk])]
    assert not PendingTask.objects.exists()


def test_a_rolled_back_change_sends_nothing(broker, django_capture_on_commit_callbacks):
    office = f.OfficeFactory()
    coordinator = f.coordinator(district=office.district)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            invitation_create(
                actor=actor_for(coordinator), email="annullata@example.org", role=Role.SOCIAL_WORKER, office=office
            )
            raise RuntimeError("the request failed later on")
    assert callbacks == [] and broker.sent == []
    assert not PendingTask.objects.exists() and not Invitation.objects.exists()


def test_without_a_broker_the_outbox_runs_the_task_at_once_and_keeps_nothing(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    office = f.OfficeFactory()
    coordinator = f.coordinator(district=office.district)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=actor_for(coordinator), email="subito@example.org", role=Role.SOCIAL_WORKER, office=office
        )
    assert [m.to for m in mailoutbox] == [["subito@example.org"]]
    assert not PendingTask.objects.exists()


# --- A job is done exactly once or visibly failed, never stuck ---------------------------------------------------


def test_a_silent_job_goes_back_to_the_queue_with_backoff_then_fails_with_a_readable_message(data, broker, settings):
    settings.REPORT_JOB_STALE_SECONDS = 120
    settings.REPORT_JOB_MAX_ATTEMPTS = 3
    settings.REPORT_JOB_RETRY_SECONDS = 30
    job = _job(data)
    with time_machine.travel(NOW, tick=False):
        ReportJob.objects.filter(pk=job.pk).update(
            status="running", started_at=timezone.now(), heartbeat_at=timezone.now(), attempts=2, enqueued_at=None
        )
    # Alive two minutes ago: left alone.
    with time_machine.travel(NOW + dt.timedelta(seconds=119), tick=False):
        assert services.report_jobs_sweep() == {"requeued": 0, "failed": 0, "sent": 0}
    # Silent for longer: queued again for attempt 3, sent after its backoff (30 s × 2).
    with time_machine.travel(NOW + dt.timedelta(seconds=121), tick=False):
        assert services.report_jobs_sweep() == {"requeued": 1, "failed": 0, "sent": 0}
        job.refresh_from_db()
        assert job.state == "retrying" and job.next_attempt_at == timezone.now() + dt.timedelta(seconds=60)
        client = login_client(data.staff)
        html = client.get(reverse("reporting:job_status", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-state="retrying"' in html and ("attempt 3 of 3" in html or "Nuovo tentativo: 3 di 3" in html)
    with time_machine.travel(NOW + dt.timedelta(seconds=182), tick=False):
        assert services.report_jobs_sweep()["sent"] == 1
        # The last attempt is claimed, then its worker dies too: the job fails, in words, with no further try.
        ReportJob.objects.filter(pk=job.pk).update(
            status="running", heartbeat_at=timezone.now(), started_at=timezone.now(), attempts=3
        )
    with time_machine.travel(NOW + dt.timedelta(seconds=400), tick=False), translation.override("en"):
        assert services.report_jobs_sweep() == {"requeued": 0, "failed": 1, "sent": 0}
    job.refresh_from_db()
    assert job.status == "failed" and "stopped 3 times" in job.error and "Ask for it again" in job.error


def test_a_redelivered_message_reclaims_a_silent_job_and_a_live_one_is_looked_at_again_later(data, settings):
    settings.REPORT_JOB_STALE_SECONDS = 120
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in a worker: a live attempt elsewhere is possible
    job = _job(data)
    with time_machine.travel(NOW, tick=False):
        ReportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now(), attempts=1)
    with time_machine.travel(NOW + dt.timedelta(seconds=100), tick=False), pytest.raises(services.Busy) as busy:
        services.report_job_run(job_id=job.pk)
    assert busy.value.countdown == 21
    with time_machine.travel(NOW + dt.timedelta(seconds=121), tick=False):
        assert services.report_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2


def test_an_attempt_that_was_taken_over_stops_without_touching_the_job(data, monkeypatch):
    job = _job(data)

    def taken_over_midway(scope, stream, progress):
        # Meanwhile the sweeper declared this attempt dead and a new attempt claimed the job.
        ReportJob.objects.filter(pk=job.pk).update(attempts=2)
        progress(50)

    monkeypatch.setitem(exports.WRITERS, "csv", taken_over_midway)
    assert services.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 2 and not job.file


def test_the_file_appears_whole_under_its_name_and_a_killed_attempt_leaves_nothing_behind(data, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    job = _job(data, fmt="csv")
    ReportJob.objects.filter(pk=job.pk).update(status="queued")
    directory = tmp_path / job.file.field.generate_filename(job, job.filename).rsplit("/", 1)[0]
    directory.mkdir(parents=True)
    (directory / f".{job.pk}.1.part").write_bytes(b"half a report")  # a killed attempt's temporary file
    assert services.report_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    files = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [job.file.name]
    assert (tmp_path / job.file.name).read_bytes().startswith(b"\xef\xbb\xbf")


# --- The page tells the truth ------------------------------------------------------------------------------------


def test_a_failed_job_shows_the_reason_and_prepare_it_again_makes_a_new_one(
    data, monkeypatch, django_capture_on_commit_callbacks
):
    job = _job(data)
    monkeypatch.setitem(exports.WRITERS, "csv", lambda scope, stream, progress: 1 / 0)
    services.report_job_run(job_id=job.pk)
    client = login_client(data.staff)
    html = client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert escape(job.error) in html and 'data-testid="repeat"' in html
    assert reverse("reporting:job_repeat", args=[job.pk]) in html
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:job_repeat", args=[job.pk]))
    new = ReportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert (new.status, new.format, new.project, new.date_from, new.date_to, new.requested_by) == (
        "done",
        job.format,
        job.project,
        job.date_from,
        job.date_to,
        data.staff,
    )


def test_a_running_job_whose_worker_went_silent_says_so(data, settings):
    settings.REPORT_JOB_STALE_SECONDS = 120
    job = _job(data)
    ReportJob.objects.filter(pk=job.pk).update(
        status="running", progress=40, attempts=1, heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    html = login_client(data.staff).get(reverse("reporting:job_status", args=[job.pk])).content.decode()
    assert 'data-state="stalled"' in html and 'data-testid="job-stalled"' in html


def test_the_administrator_sees_the_stuck_and_failed_jobs(data, settings):
    settings.REPORT_JOB_STALE_SECONDS = 120
    settings.OUTBOX_GRACE_SECONDS = 30
    stuck, failed, fine = _job(data), _job(data), _job(data)
    ReportJob.objects.filter(pk=stuck.pk).update(
        status="running", heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    ReportJob.objects.filter(pk=failed.pk).update(status="failed", error="Disco pieno")
    admin = f.administrator()
    client = login_client(admin)
    url = reverse("admin:reporting_reportjob_changelist")
    stuck_page = client.get(url, {"attention": "stuck"}).content.decode()
    failed_page = client.get(url, {"attention": "failed"}).content.decode()
    assert str(stuck.pk) in stuck_page and str(fine.pk) not in stuck_page and str(failed.pk) not in stuck_page
    assert str(failed.pk) in failed_page and "Disco pieno" in failed_page and str(stuck.pk) not in failed_page


# --- Redis down degrades, never breaks ---------------------------------------------------------------------------


@pytest.fixture
def cache_down(settings):
    unreachable = {
        "BACKEND": "mediazione.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:6390/6",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    settings.CACHES = {"default": unreachable, "shared": {**unreachable, "FALLBACK": "none"}}
    yield caches["default"]
    for alias in ("default", "shared"):
        caches[alias].close()


def test_with_the_cache_unreachable_login_works_and_rate_limits_still_count(demo_world, cache_down):
    from mediazione import cache as resilient

    email = demo.demo_email("assistente.cremona")
    client = Client()
    # The warning is read at the logger itself: what the root logger's handlers show depends on the tests that ran
    # before in the same process.
    with mock.patch.object(resilient.logger, "warning", wraps=resilient.logger.warning) as warned:
        response = client.post(reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert cache_down.is_down, "the login never reached the cache"
    # Once per cache: the rate limits' (answered in-process meanwhile) and the sessions' (read from the database).
    assert warned.call_count == 2
    assert all(call.args[0].startswith("Cache unreachable") for call in warned.call_args_list)
    # Failing safe, not open: the in-process cache still counts the attempts.
    cache_down.set("counted", 3)
    assert cache_down.get("counted") == 3
    # The session lives in the database: the next pages find it there (nothing is cached meanwhile), and a logout
    # ends it.
    assert caches["shared"].is_down
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("notifications:list")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302


class FlakyRedis:
    """Stands in for Redis's client: a dictionary, or a ConnectionError while ``down``."""

    def __init__(self):
        self.data, self.down = {}, False

    def _answer(self):
        import redis

        if self.down:
            raise redis.exceptions.ConnectionError("Connection refused")

    def get(self, key, default):
        self._answer()
        return self.data.get(key, default)

    def set(self, key, value, timeout):
        self._answer()
        self.data[key] = value

    def delete(self, key):
        self._answer()
        return self.data.pop(key, None) is not None

    def delete_many(self, keys):
        self._answer()
        for key in keys:
            self.data.pop(key, None)


@pytest.mark.parametrize("fallback", ["none", "local"])
def test_what_changed_while_redis_was_down_is_deleted_from_it_once_it_answers_again(fallback):
    from mediazione.cache import ResilientRedisCache

    cache = ResilientRedisCache("redis://127.0.0.1:6390/6", {"FALLBACK": fallback})
    redis = cache._cache = FlakyRedis()
    cache.set("session", {"user": 1})
    cache.set("unread", 3)
    cache.set("untouched", "kept")

    redis.down = True
    if fallback == "none":
        assert cache.get("session") is None  # nothing is cached meanwhile: the database answers
    cache.delete("session")  # a logout while Redis is down
    cache.set("unread", 4)  # a counter changed
    assert cache.is_down

    redis.down = False
    cache._down_until = 0  # the pause is over: the next call tries Redis again
    # Redis still holds the values of before the outage: they are deleted, never served.
    assert cache.get("session") is None and cache.get("unread") is None
    assert cache.get("untouched") == "kept"
    assert set(redis.data) == {cache.make_key("untouched")}


def test_health_says_the_cache_is_down_and_the_portal_is_degraded_not_down(cache_down):
    body = Client().get("/health/").json()
    assert body["cache"].startswith("error") and body["database"] == "ok"
    assert body["status"] == "degraded"


def test_the_redis_cache_makes_one_client_per_connection_pool_not_one_per_call():
    from mediazione.cache import ResilientRedisCache, ReusedClient

    cache = ResilientRedisCache("redis://127.0.0.1:6390/6", {})  # nothing listens: no call reaches Redis here
    client = cache._cache
    assert isinstance(client, ReusedClient)
    first = client.get_client("a", write=True)
    assert client.get_client("b", write=False) is first  # one server: reads and writes share its pool
    assert first.connection_pool is client._get_connection_pool(True)
