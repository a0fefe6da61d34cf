"""Background work of the requests: takes nothing, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def office_languages_rebuild_task() -> int:
    # Every night (CELERY_BEAT_SCHEDULE): the lists' language menus written again from the requests.
    return services.office_languages_rebuild()
