"""Sending background tasks without ever losing one (a transactional outbox).

``send_on_commit(name, *args)`` writes the task in the caller's transaction and hands it to the broker once the
transaction commits. If the broker does not answer (Redis down), the failure is logged and the row stays: the
sweeper (``outbox_sweep``, every SWEEP_SECONDS) sends it again with backoff. A rolled-back transaction sends
nothing. Tasks sent this way must be idempotent: a task may, rarely, be sent twice (sent, then the row could not be
deleted).
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import PendingTask

logger = logging.getLogger(__name__)

# A failed send waits 2**attempts × this many seconds before the next one, at most MAX_BACKOFF.
BACKOFF_SECONDS = 5
MAX_BACKOFF = dt.timedelta(minutes=10)


def task_named(name: str):
    """The Celery task registered as ``name``, importing the apps' ``tasks`` modules on first use as a worker does.
    Services name their tasks instead of importing them, so that ``tasks.py`` (which imports services) and
    ``services.py`` never import each other."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def send_on_commit(task: str, *args) -> None:
    """Send the task named ``task`` (``"scheduling.tasks.send_offer_email_task"``) with ``args`` once the current
    transaction commits; never raises because the broker is down."""
    grace = dt.timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    row = PendingTask.objects.create(task=task, args=list(args), next_attempt_at=timezone.now() + grace)
    transaction.on_commit(lambda: send(row.pk))


def _backoff(attempts: int) -> dt.timedelta:
    return min(MAX_BACKOFF, dt.timedelta(seconds=BACKOFF_SECONDS * 2 ** min(attempts, 10)))


def send(pk) -> bool:
    """Hand one pending task to the broker and forget it; False (and the row kept for later) if the broker failed."""
    row = PendingTask.objects.filter(pk=pk).first()
    if row is None:
        return False
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (demo, tests): the task runs here and now, as it did before the outbox.
        row.delete()
        task_named(row.task).apply(args=row.args, throw=True)
        return True
    try:
        current_app.send_task(row.task, args=row.args)
    except Exception as exc:  # noqa: BLE001  (any failure of the broker leaves the task for the sweeper)
        logger.warning("Could not send %s to the broker (%s: %s); the sweeper will", row, exc.__class__.__name__, exc)
        PendingTask.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1,
            last_error=f"{exc.__class__.__name__}: {exc}"[:1000],
            next_attempt_at=timezone.now() + _backoff(row.attempts),
        )
        return False
    PendingTask.objects.filter(pk=row.pk).delete()
    return True


def outbox_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send the tasks whose time came (not sent after their commit, or whose last send failed). Returns how many
    were handed to the broker."""
    now = now or timezone.now()
    sent = 0
    for pk in PendingTask.objects.filter(next_attempt_at__lte=now).values_list("pk", flat=True)[:limit]:
        if send(pk):
            sent += 1
        else:
            break  # the broker is down: the others wait for the next sweep
    return sent
