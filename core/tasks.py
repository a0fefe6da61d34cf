"""Background work of the portal itself."""

from celery import shared_task

from . import outbox


@shared_task(acks_late=True)
def outbox_sweep_task() -> int:
    # Every SWEEP_SECONDS (CELERY_BEAT_SCHEDULE): the tasks the web process could not hand to the broker.
    return outbox.outbox_sweep()
