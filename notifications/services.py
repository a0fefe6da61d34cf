"""Every write about notifications: writing them (by the rooms that notify), e-mailing them once (at once or in
the daily summary, as their recipient chose), marking them read, saving those choices.

Notifications are rows written in the caller's transaction; their e-mails leave through a task enqueued by name with
the outbox once the transaction commits, so a rolled-back change notifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.scoping import actor_for
from core import outbox
from core.errors import DomainError

from . import counters, preferences, text
from .models import Delivery, Notification, NotificationPreference


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
        counters.forget(people)
        outbox.send_on_commit("notifications.tasks.send_notification_emails_task", ids)
    return notifications


def notification_add(*, recipient_id: int, request, kind: str, actor: User | None, offer=None) -> Notification:
    """One in-app notification whose e-mail the caller sends itself (an offer's, with its answer links)."""
    notification = Notification.objects.create(
        recipient_id=recipient_id, request=request, kind=kind, actor=actor, offer=offer
    )
    counters.forget([recipient_id])
    return notification


def notification_send_emails(*, notification_ids: list[int]) -> int:
    """E-mail each notification once, in its recipient's language, if its recipient wants it at once; keep it for
    the daily summary, or in the portal only, as they chose (``notifications.preferences``). Returns how many were
    sent."""
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
                .filter(pk=notification_id, emailed_at__isnull=True, delivery="")
                .first()
            )
            if notification is None:
                # Already e-mailed (or routed) by an earlier run of the task: nothing to do.
                continue
            recipient = notification.recipient
            notification.delivery = preferences.delivery_for(recipient, notification.kind)
            if notification.delivery != Delivery.IMMEDIATE:
                # The summary of tomorrow morning sends it, or nobody does: the person chose.
                notification.save(update_fields=["delivery"])
                continue
            with translation.override(recipient.language):
                subject = (
                    f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.get_kind_display()}"
                    f" · {notification.request.case_code}"
                )
                body = render_to_string("notifications/email/notification.txt", _email_context(notification))
            send_mail(subject, body, None, [recipient.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at", "delivery"])
            sent += 1
    return sent


@transaction.atomic
def notification_route_offer_email(*, recipient: User, offer_id: int, kind: str) -> str:
    """An offer's notification leaves through the offer's own e-mail (with its answer links): say whether that
    e-mail goes now, and record it on the notification, so that the summary sends only what was not e-mailed."""
    delivery = preferences.delivery_for(recipient, kind)
    Notification.objects.filter(recipient=recipient, offer_id=offer_id, kind=kind, delivery="").update(
        delivery=delivery
    )
    return delivery


def notification_offer_emailed(*, recipient: User, offer_id: int, kind: str) -> None:
    """The offer's own e-mail went out (after the send, so that a failed send is not marked as sent)."""
    Notification.objects.filter(
        recipient=recipient, offer_id=offer_id, kind=kind, delivery=Delivery.IMMEDIATE, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())


# --- The daily summary ------------------------------------------------------------------------------------------------


def notification_send_digests(*, now=None) -> int:
    """The morning's summary: ONE e-mail per person listing their notifications kept for it and not yet e-mailed,
    in their language; nobody with nothing to read gets one. Idempotent: whoever already had their summary today
    (Europe/Rome) gets no second one, and what was sent is marked e-mailed. Returns how many were sent."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    waiting = (
        Notification.objects.filter(delivery=Delivery.DIGEST, emailed_at__isnull=True, created_at__lte=now)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    sent = 0
    for recipient_id in list(waiting):
        sent += _send_digest(recipient_id=recipient_id, now=now, start_of_day=start_of_day)
    return sent


def _send_digest(*, recipient_id: int, now, start_of_day) -> int:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    with transaction.atomic():
        # The person's row is the lock: two runs of the task at once send one summary, not two.
        recipient = User.objects.select_for_update().filter(pk=recipient_id, is_active=True).first()
        if recipient is None:
            return 0
        if Notification.objects.filter(
            recipient=recipient, delivery=Delivery.DIGEST, emailed_at__gte=start_of_day
        ).exists():
            # Already had today's summary: what came since waits for tomorrow's.
            return 0
        notifications = list(
            Notification.objects.filter(
                recipient=recipient, delivery=Delivery.DIGEST, emailed_at__isnull=True, created_at__lte=now
            )
            .select_related("request__office__district", "actor", "offer")
            .order_by("created_at", "pk")
        )
        if not notifications:
            return 0
        with translation.override(recipient.language):
            lines = [_digest_line(n) for n in notifications]
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + ngettext(
                "Your summary of %(day)s: %(count)s notification",
                "Your summary of %(day)s: %(count)s notifications",
                len(lines),
            ) % {"day": text.day(timezone.localtime(now).date()), "count": len(lines)}
            body = render_to_string(
                "notifications/email/digest.txt",
                {
                    "recipient": recipient,
                    "lines": lines,
                    "preferences_url": settings.PORTAL_BASE_URL + reverse("notifications:preferences"),
                },
            )
        send_mail(subject, body, None, [recipient.email])
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=timezone.now())
        return 1


def _digest_line(notification: Notification) -> dict:
    """One line of the summary: what happened (with day, time and place when it is about an appointment), the
    deadline when there is one, and the page."""
    from django.conf import settings

    deadline = ""
    offer = notification.offer
    if notification.kind == Notification.Kind.OFFER and offer is not None and offer.status == "open":
        deadline = _("Answer by %(when)s") % {"when": text.when(offer.expires_at)}
    elif notification.kind == Notification.Kind.SUBMITTED and notification.request.deadline:
        deadline = _("Needed by %(day)s") % {"day": text.day(notification.request.deadline)}
    return {
        "kind": notification.get_kind_display(),
        "when": text.when(notification.created_at),
        "what": text.describe(notification),
        "deadline": deadline,
        "url": settings.PORTAL_BASE_URL + text.path_for(notification),
    }


# --- Preferences ------------------------------------------------------------------------------------------------------


@transaction.atomic
def notification_preferences_save(*, user: User, choices: dict[str, str]) -> int:
    """Save how ``user`` wants to hear of each kind their current role receives. A choice equal to the role's
    default is not stored (the default may improve later); a kind the role does not receive, or a delivery that
    does not exist, is refused and nothing is saved. Returns how many choices differ from the defaults."""
    defaults = preferences.kinds_for(actor_for(user).role)
    for kind, delivery in choices.items():
        if kind not in defaults:
            raise DomainError(_("This kind of notification is not sent to you in your current role."))
        if delivery not in Delivery.values:
            raise DomainError(_("Choose how to receive each kind of notification."), field=kind)
    own = NotificationPreference.objects.select_for_update().filter(user=user, kind__in=list(choices))
    own.delete()
    differ = [
        NotificationPreference(user=user, kind=kind, delivery=delivery)
        for kind, delivery in choices.items()
        if delivery != defaults[kind]
    ]
    NotificationPreference.objects.bulk_create(differ)
    return len(differ)


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
    if request.deadline and notification.kind == Notification.Kind.SUBMITTED:
        facts.append((_("Needed by"), text.day(request.deadline)))
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
    marked = unread.update(read_at=timezone.now())
    if marked:
        counters.forget([user.pk])
    return marked
