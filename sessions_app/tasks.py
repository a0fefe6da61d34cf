"""Background work of the session reports and evaluations: takes nothing, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def ratings_rebuild_task() -> int:
    # Every night (CELERY_BEAT_SCHEDULE): the mediators' ratings written again from the scores.
    return services.ratings_rebuild()
