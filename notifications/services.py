"""Every write about notifications: writing them (by the rooms that notify), e-mailing them once, marking them read.

Notifications are rows written in the caller's transaction; their e-mails leave through a task enqueued by name with
the outbox once the transaction commits, so a rolled-back change notifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import outbox

from . import text
from .models import Notification


def notify(
    *,
    recipients: Iterable[User],
    request,
    kind: str,
    actor: User | None,
    details: dict | None = None,
) -> list[Notification]:
    """Write the in-app notifications now and send their e-mails after the commit. ``actor`` is who did it (None:
    the portal itself), never told of their own act; ``details`` are the facts the message tells (day, place…)."""
    people = {user.pk: user for user in recipients if actor is None or user.pk != actor.pk}
    notifications = Notification.objects.bulk_create(
        [
            Notification(recipient=user, request=request, kind=kind, actor=actor, details=details or {})
            for user in people.values()
        ]
    )
    ids = [n.pk for n in notifications]
    if ids:
        outbox.send_on_commit("notifications.tasks.send_notification_emails_task", ids)
    return notifications


def notification_send_emails(*, notification_ids: list[int]) -> int:
    """E-mail each notification once, in its recipient's language. Returns how many were sent."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient", "request__office__district", "actor")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None:
                # Already e-mailed by an earlier run of the task: nothing to do.
                continue
            recipient = notification.recipient
            with translation.override(recipient.language):
                subject = (
                    f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.get_kind_display()}"
                    f" · {notification.request.case_code}"
                )
                body = render_to_string("notifications/email/notification.txt", _email_context(notification))
            send_mail(subject, body, None, [recipient.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def _email_context(notification: Notification) -> dict:
    """What a notification's e-mail says: the sentence of what happened, then the facts one per line."""
    from django.conf import settings

    request, d = notification.request, notification.details or {}
    facts = [
        (
            _("Request"),
            f"{request.case_code} · {request.get_service_kind_display()}, "
            + ", ".join(str(language) for language in request.languages.all()),
        ),
        (_("Office"), request.office.name),
    ]
    if "starts_at" in d:
        facts.append((_("When"), text.span(d)))
        facts.append((_("Where"), text.where(d)))
    if d.get("mediator"):
        facts.append((_("Mediator"), d["mediator"]))
    if notification.actor_id:
        facts.append((_("By"), text.person(notification.actor)))
    return {
        "notification": notification,
        "request": request,
        "recipient": notification.recipient,
        "what": text.describe(notification),
        "facts": facts,
        "url": settings.PORTAL_BASE_URL + text.path_for(notification),
    }


@transaction.atomic
def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or, without ids, all) of one's own notifications as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
