"""Report jobs are never lost nor stuck, tried against real failures: a real Celery worker (started by the test, on
a queue of its own, with beat running the sweeper every second) on PostgreSQL and Redis.

- the pool process killed mid-job (an out-of-memory kill): the job finishes once, with one file;
- the whole worker killed mid-job, a new one started: the job finishes within the stale interval plus a sweep;
- the broker unreachable when the report is asked for: no 500, the page says so, the job runs once Redis answers;
- the worker's database connection cut mid-job (pg_terminate_backend): the retry finishes it.

Runs when CELERY_BROKER_URL points at Redis and the database is PostgreSQL (.ci/run runs the suite that way). Each
wait is bounded; the intervals are shortened through the environment (REPORT_JOB_STALE_SECONDS, SWEEP_SECONDS…).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from accounts.scoping import actor_for
from reporting import services
from reporting.models import ReportJob

from .conftest import login_client
from .test_reporting import build_data

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs CELERY_BROKER_URL=redis://… and PostgreSQL (run by .ci/run)",
    ),
]

STALE = 4  # seconds without a heartbeat before a running job may be reclaimed
SWEEP = 1  # seconds between two sweeps
PAUSE = 8  # the first attempt of a job pauses this long at 40 %: the time to kill it
INTERVALS = {
    "REPORT_JOB_STALE_SECONDS": STALE,
    "SWEEP_SECONDS": SWEEP,
    "OUTBOX_GRACE_SECONDS": 1,
    "REPORT_JOB_RETRY_SECONDS": 1,
    "REPORT_JOB_MAX_ATTEMPTS": 3,
}


class Workers:
    """Starts Celery workers (each with beat) on one queue of this test; stops whatever is left at the end."""

    def __init__(self, tmp_path: Path):
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.tmp = tmp_path
        self.markers = tmp_path / "markers"
        self.markers.mkdir()
        self.media = tmp_path / "media"
        self.processes: list[subprocess.Popen] = []
        db = connection.settings_dict
        self.env = {
            **os.environ,
            **{name: str(value) for name, value in INTERVALS.items()},
            "DEBUG": "1",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_QUEUE": self.queue,
            "MEDIA_ROOT": str(self.media),
            "TEST_MARKER_DIR": str(self.markers),
            "TEST_REPORT_PAUSE_SECONDS": str(PAUSE),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }

    def start(self) -> subprocess.Popen:
        n = len(self.processes)
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "tests.slow_worker",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-B",
                "-s",
                str(self.tmp / f"beat-{n}"),
                "-n",
                f"w{n}-{self.queue}@%h",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.tmp / f"worker-{n}.log", "w"),  # noqa: SIM115  (closed with the process)
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole, never anything else
        )
        self.processes.append(process)
        return process

    def kill_all(self, process: subprocess.Popen) -> None:
        """kill -9 of the worker, its pool process and its beat (its process group)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def holder(self, job: ReportJob, timeout: float = 20) -> int:
        """Wait until a process paused in the first attempt of ``job``; its pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = list(self.markers.glob(f"{job.pk}.*"))
            if found:
                return int(found[0].suffix[1:])
            self.check_alive()
            time.sleep(0.2)
        raise AssertionError(f"no worker started the job within {timeout} s\n{self.logs()}")

    def check_alive(self) -> None:
        assert self.processes and self.processes[-1].poll() is None, f"the Celery worker stopped\n{self.logs()}"

    def logs(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.tmp.glob("worker-*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()  # a warm shutdown: the worker stops its pool and beat itself
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)

    def report_files(self) -> list[Path]:
        return sorted(p for p in self.media.rglob("*") if p.is_file())


@pytest.fixture
def workers(transactional_db, tmp_path, settings):
    from mediazione.celery import app

    pool = Workers(tmp_path)
    for name, value in INTERVALS.items():
        setattr(settings, name, value)
    settings.MEDIA_ROOT = str(pool.media)
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = pool.queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        yield pool
    finally:
        app.conf.task_default_queue = previous_queue
        pool.stop()
        print(pool.logs())


def _ask(data) -> ReportJob:
    return services.report_job_create(
        actor=actor_for(data.staff),
        province=data.province,
        project=data.project,
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
        format="pdf",
    )


def _wait_done(job: ReportJob, workers: Workers, timeout: float) -> float:
    """Seconds until ``job`` is done; fails after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        job.refresh_from_db()
        if job.status == ReportJob.Status.DONE:
            return time.monotonic() - start
        assert job.status != ReportJob.Status.FAILED, job.error
        workers.check_alive()
        time.sleep(0.3)
    raise AssertionError(f"the job is still {job.status} ({job.progress} %) after {timeout} s\n{workers.logs()}")


def _one_report_file(workers: Workers, job: ReportJob) -> None:
    files = workers.report_files()
    assert [f.name for f in files] == [Path(job.file.name).name], files
    assert files[0].read_bytes().startswith(b"%PDF") and files[0].read_bytes().rstrip().endswith(b"%%EOF")


def test_the_pool_process_killed_mid_job_the_job_finishes_once_with_one_file(workers):
    data = build_data()
    workers.start()
    job = _ask(data)
    pid = workers.holder(job)
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 1
    os.kill(pid, signal.SIGKILL)  # what the out-of-memory killer does; the worker's parent lives on
    # The parent gives the message back (reject on worker lost); it is tried again once the attempt is stale.
    took = _wait_done(job, workers, timeout=STALE + 3 * SWEEP + 15)
    job.refresh_from_db()
    assert job.attempts == 2 and job.progress == 100
    _one_report_file(workers, job)
    print(f"done {took:.1f} s after the pool process was killed")


def test_the_whole_worker_killed_a_new_one_finishes_the_job_within_the_stale_interval_and_a_sweep(workers):
    data = build_data()
    first = workers.start()
    job = _ask(data)
    workers.holder(job)
    workers.kill_all(first)
    killed_at = time.monotonic()
    workers.start()
    took = _wait_done(job, workers, timeout=STALE + 3 * SWEEP + 15)
    job.refresh_from_db()
    assert job.attempts == 2
    _one_report_file(workers, job)
    # Stale interval, one sweep, the new worker's start (~3 s) and the PDF itself: well within the bound above.
    print(f"done {time.monotonic() - killed_at:.1f} s after the worker was killed ({took:.1f} s of waiting)")


def test_the_broker_unreachable_when_asked_no_500_and_the_job_runs_once_redis_answers(workers, settings):
    from mediazione.celery import app

    data = build_data()
    client = login_client(data.staff)
    real_broker = app.conf.broker_url
    _use_broker(app, "redis://127.0.0.1:6390/5")  # nothing listens there
    try:
        start = time.monotonic()
        response = client.post(
            reverse("reporting:jobs"),
            {"dal": "2025-01-01", "al": "2025-12-31", "progetto": data.project.pk, "formato": "pdf"},
        )
        took = time.monotonic() - start
        assert response.status_code == 302, response.content[:500]
        assert took < 10, f"asking for a report took {took:.1f} s with the broker down"
        job = ReportJob.objects.get()
        assert response["Location"] == job.get_absolute_url()
        assert job.status == "queued" and job.enqueued_at is None and job.state == "waiting_service"
        page = client.get(job.get_absolute_url()).content.decode()
        assert 'data-state="waiting_service"' in page
        print(f"asking for a report with the broker down answered in {took:.2f} s")
    finally:
        _use_broker(app, real_broker)
    # Redis answers again (here: the web process is pointed back at it); the worker's sweeper sends the job.
    workers.start()
    _wait_done(job, workers, timeout=25)
    job.refresh_from_db()
    assert job.attempts == 1
    _one_report_file(workers, job)


def _use_broker(app, url: str) -> None:
    """Point this (web) process at ``url``: its pooled connections and producers are dropped."""
    app.conf.broker_url = app.conf.broker_write_url = url
    settings.CELERY_BROKER_URL = url
    # Not closed: kombu keeps pools by address, and the real broker's pool is used again afterwards.
    app._pool = None
    app.amqp._producer_pool = None


def test_the_database_connection_cut_mid_job_the_retry_finishes_it(workers):
    data = build_data()
    workers.start()
    job = _ask(data)
    workers.holder(job)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (terminated,) = cursor.fetchone()
    assert terminated >= 1
    took = _wait_done(job, workers, timeout=PAUSE + STALE + 15)
    job.refresh_from_db()
    assert job.attempts == 2
    _one_report_file(workers, job)
    print(f"done {took:.1f} s after the connections were cut")


def test_an_invitation_asked_for_with_the_broker_unreachable_is_sent_once_redis_answers(workers):
    from accounts.models import Invitation, Role
    from accounts.services import invitation_create
    from core.models import PendingTask
    from mediazione.celery import app

    from . import factories as f

    office = f.OfficeFactory()
    coordinator = f.coordinator(district=office.district)
    real_broker = app.conf.broker_url
    _use_broker(app, "redis://127.0.0.1:6390/5")
    try:
        with transaction.atomic():
            invitation = invitation_create(
                actor=actor_for(coordinator), email="outbox@example.org", role=Role.SOCIAL_WORKER, office=office
            )
    finally:
        _use_broker(app, real_broker)
    pending = PendingTask.objects.get()
    assert pending.task == "accounts.tasks.send_invitation_email_task" and pending.attempts == 1
    workers.start()
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline and not Invitation.objects.get(pk=invitation.pk).sent_at:
        workers.check_alive()
        time.sleep(0.3)
    assert Invitation.objects.get(pk=invitation.pk).sent_at, workers.logs()
    assert not PendingTask.objects.exists()
