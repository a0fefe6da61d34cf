"""One real round trip through Redis: a task enqueued on commit is run by a separate Celery worker process.

Runs when CELERY_BROKER_URL points at Redis and the database is PostgreSQL (the worker must reach the same test
database, which an in-memory SQLite database cannot offer); .ci/run runs the suite that way.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from accounts.models import Invitation, Role
from accounts.scoping import actor_for
from accounts.services import invitation_create

from . import factories as f

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs CELERY_BROKER_URL=redis://… and PostgreSQL (run by .ci/run)",
    ),
]


@pytest.fixture
def worker(transactional_db, tmp_path, settings):
    """A Celery worker in its own process, on a queue of its own, using the test database."""
    from mediazione.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "mediazione", "worker", "--pool=solo", "-l", "info"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        yield {"process": process, "mail_dir": mail_dir}
    finally:
        app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-4000:])


def test_an_invitation_email_is_sent_by_a_real_worker_after_commit(worker):
    office = f.OfficeFactory()
    coordinator = f.coordinator(district=office.district)
    with transaction.atomic():
        invitation = invitation_create(
            actor=actor_for(coordinator), email="via.redis@example.org", role=Role.SOCIAL_WORKER, office=office
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.sent_at:
            break
        assert worker["process"].poll() is None, "the Celery worker stopped"
        time.sleep(0.5)
    assert invitation.sent_at is not None, "the worker did not send the invitation within 60 s"
    mails = list(worker["mail_dir"].glob("*.log"))
    assert len(mails) == 1
    content = mails[0].read_text()
    assert "via.redis@example.org" in content
    assert invitation.key in content
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
