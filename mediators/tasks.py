"""Scheduled work of the roster: takes no objects, calls a service."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True)
def notify_expiring_qualifications_task() -> int:
    # Daily (CELERY_BEAT_SCHEDULE). Each qualification is announced once, so a repeated run sends nothing new.
    return services.qualification_expiry_notify(today=timezone.localdate())
