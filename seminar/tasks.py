"""Background work of the public seminar: takes ids, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def send_registration_email_task(registration_id: int, kind: str) -> bool:
    return services.registration_email(registration_id=registration_id, kind=kind)


@shared_task(acks_late=True)
def send_reminders_task() -> int:
    # Hourly (CELERY_BEAT_SCHEDULE): the day-before reminders not yet sent; idempotent (reminded_at).
    return services.reminders_send()


@shared_task(acks_late=True)
def anonymise_registrations_task() -> dict:
    # Nightly: registrations past SEMINAR_RETENTION_MONTHS after their seminar.
    return services.registrations_anonymise()
