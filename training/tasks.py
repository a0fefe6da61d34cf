"""Background work of the training course: takes ids, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_task(nomination_id: int) -> bool:
    return services.invitation_send_email(nomination_id=nomination_id)
