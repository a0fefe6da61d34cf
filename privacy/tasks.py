"""Background work of privacy: takes no objects, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def anonymise_expired_task() -> int:
    # Every night (CELERY_BEAT_SCHEDULE): idempotent, a request anonymised once is never picked again.
    return len(services.requests_anonymise_expired())
