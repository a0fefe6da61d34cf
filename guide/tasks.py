"""Background work of the mini-guide: takes ids, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def edition_build_task(edition_id: str) -> bool:
    # Written to the outbox with the edition; idempotent: the service claims the edition with a conditional update,
    # so a duplicate or a late delivery does nothing.
    return services.edition_build(edition_id=edition_id)


@shared_task(acks_late=True)
def editions_sweep_task() -> dict:
    # Every SWEEP_SECONDS (CELERY_BEAT_SCHEDULE): editions whose worker died while building, queued again or failed.
    return services.editions_sweep()
