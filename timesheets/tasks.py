"""Scheduled work of timesheets: takes no objects, calls a service (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def remind_missing_reports_task() -> int:
    # Hourly. Each appointment is reminded once (a Reminder row), so a repeated run sends nothing new.
    return services.reminders_missing_reports()


@shared_task(acks_late=True)
def remind_social_workers_task() -> int:
    # Daily. At most one digest a person a day (a Reminder row per person and day).
    return services.reminders_social_workers()
