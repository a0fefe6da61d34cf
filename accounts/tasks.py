"""Background work of accounts: takes ids, calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email_task(invitation_id: int) -> bool:
    # OSError covers an SMTP server that is down for a moment: retried with backoff.
    return services.invitation_send_email(invitation_id=invitation_id)
