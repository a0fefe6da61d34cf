"""Every write about users, memberships and invitations. Keyword-only, one transaction each, domain errors."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import outbox
from core.errors import DomainError, NotAllowed

from . import scoping, selectors
from .models import District, Funder, Invitation, Membership, Office, Provider, Province, Role, User

# Which roles each role may invite people to. Administrators may invite anyone.
GRANTABLE_ROLES = {
    Role.PROVINCE_STAFF: [
        Role.SOCIAL_WORKER,
        Role.COORDINATOR,
        Role.MEDIATOR,
        Role.PROVINCE_STAFF,
        Role.FUNDER_VIEWER,
    ],
    Role.COORDINATOR: [Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR],
}


def grantable_roles(*, actor: scoping.Actor) -> list[str]:
    if actor.is_admin:
        return list(Role.values)
    return [str(role) for role in GRANTABLE_ROLES.get(actor.role, [])]


def membership_activate(*, user: User, membership_id) -> Membership:
    """Make one of the user's own active memberships the role they act in."""
    try:
        membership = user.memberships.get(pk=membership_id, is_active=True)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise DomainError(_("This role is not one of yours.")) from None
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(active_membership=membership)
    user.active_membership = membership
    scoping.forget_actor(user)
    return membership


def _check_scope(
    *,
    actor: scoping.Actor,
    role: str,
    office: Office | None,
    district: District | None,
    provider: Provider | None,
    province: Province | None,
    funder: Funder | None,
    districts: list[District],
) -> None:
    """Refuse a role or an organisation the actor may not hand out."""
    if role not in grantable_roles(actor=actor):
        raise NotAllowed(_("You cannot invite people to this role."), field="role")
    needed = {
        Role.SOCIAL_WORKER: ("office", office, Office),
        Role.COORDINATOR: ("district", district, District),
        Role.MEDIATOR: ("provider", provider, Provider),
        Role.PROVINCE_STAFF: ("province", province, Province),
        Role.FUNDER_VIEWER: ("funder", funder, Funder),
    }.get(role)
    if needed:
        field, value, model = needed
        if value is None:
            raise DomainError(_("Choose the organisation this person will work for."), field=field)
        if not scoping.visible(actor.user, model).filter(pk=value.pk).exists():
            raise NotAllowed(_("You cannot invite people to this organisation."), field=field)
    if role == Role.MEDIATOR:
        if not districts:
            raise DomainError(_("Choose at least one district the mediator works in."), field="districts")
        if any(d.province_id != provider.province_id for d in districts):
            raise DomainError(_("The districts must be in the province of the mediator provider."), field="districts")
        allowed = set(scoping.visible(actor.user, District).values_list("pk", flat=True))
        if not actor.is_admin and actor.role == Role.COORDINATOR:
            allowed &= set(actor.district_ids)
        if any(d.pk not in allowed for d in districts):
            raise NotAllowed(_("You cannot assign mediators to these districts."), field="districts")


def invitation_create(
    *,
    actor: scoping.Actor,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "it",
    office: Office | None = None,
    district: District | None = None,
    provider: Provider | None = None,
    province: Province | None = None,
    funder: Funder | None = None,
    districts: list[District] | None = None,
) -> Invitation:
    """Invite a person to a role; the e-mail with the link is sent by a task once the row is committed."""
    districts = list(districts or [])
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise DomainError(_("Choose a role."), field="role")
    _check_scope(
        actor=actor,
        role=role,
        office=office,
        district=district,
        provider=provider,
        province=province,
        funder=funder,
        districts=districts,
    )
    # Only the organisation the role needs is kept; anything else sent along is ignored.
    scope = {
        "office": office if role == Role.SOCIAL_WORKER else None,
        "district": district if role == Role.COORDINATOR else None,
        "provider": provider if role == Role.MEDIATOR else None,
        "province": province if role == Role.PROVINCE_STAFF else None,
        "funder": funder if role == Role.FUNDER_VIEWER else None,
    }
    with transaction.atomic():
        existing = User.objects.filter(email=email).first()
        if existing and _has_same_membership(existing, role, scope, districts):
            raise DomainError(_("This person already has this role."), field="email")
        invitation = Invitation.objects.create(
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            role=role,
            key=secrets.token_urlsafe(32),
            invited_by=actor.user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
            **scope,
        )
        if role == Role.MEDIATOR:
            invitation.districts.set(districts)
        outbox.send_on_commit("accounts.tasks.send_invitation_email_task", invitation.pk)
    return invitation


def _has_same_membership(user: User, role: str, scope: dict, districts: list[District]) -> bool:
    memberships = user.memberships.filter(role=role, is_active=True, **scope)
    if role != Role.MEDIATOR:
        return memberships.exists()
    wanted = {d.pk for d in districts}
    return any(set(m.districts.values_list("pk", flat=True)) == wanted for m in memberships)


def invitation_send_email(*, invitation_id: int) -> bool:
    """Send (or send again) the invitation e-mail, in the invitee's language. False if there is nothing to send."""
    with transaction.atomic():
        invitation = (
            # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins to the scope.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("invited_by", "office", "district", "provider", "province", "funder")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.status != Invitation.Status.PENDING:
            # Accepted, revoked or expired in the meantime: an e-mail now would only confuse.
            return False
        link = settings.PORTAL_BASE_URL + reverse("accounts:invitation_accept", kwargs={"key": invitation.key})
        with translation.override(invitation.language):
            context = {"invitation": invitation, "link": link, "site_name": settings.SITE_NAME}
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("You are invited to Mediazione")
            text = render_to_string("accounts/email/invitation.txt", context)
            html = render_to_string("accounts/email/invitation.html", context)
        message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email])
        message.attach_alternative(html, "text/html")
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


def invitation_resend(*, actor: scoping.Actor, invitation: Invitation) -> Invitation:
    """Give a pending or expired invitation a new expiry and send the e-mail again."""
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
        raise DomainError(_("This invitation was already accepted or revoked."))
    with transaction.atomic():
        invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
        invitation.save(update_fields=["expires_at"])
        outbox.send_on_commit("accounts.tasks.send_invitation_email_task", invitation.pk)
    return invitation


def invitation_revoke(*, actor: scoping.Actor, invitation: Invitation) -> Invitation:
    if invitation.status == Invitation.Status.ACCEPTED:
        raise DomainError(_("This invitation was already accepted: deactivate the membership instead."))
    with transaction.atomic():
        invitation.revoked_at = invitation.revoked_at or timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_check(*, invitation: Invitation | None) -> Invitation:
    """The invitation if it can still be accepted; otherwise a domain error saying why not."""
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."))
    if invitation.status == Invitation.Status.ACCEPTED:
        raise DomainError(_("This invitation was already accepted: log in with your e-mail and password."))
    if invitation.status == Invitation.Status.REVOKED:
        raise DomainError(_("This invitation was withdrawn. Ask the person who invited you for a new one."))
    if invitation.status == Invitation.Status.EXPIRED:
        raise DomainError(_("This invitation has expired. Ask the person who invited you to send it again."))
    return invitation


def invitation_accept(
    *,
    key: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    user: User | None = None,
) -> Membership:
    """Accept an invitation: create the account (with its password) if needed, and the membership.

    A person who already has an account accepts while logged in as that account (``user``); a new person sets a
    password here, which is validated by the password validators.
    """
    with transaction.atomic():
        invitation = invitation_check(invitation=Invitation.objects.select_for_update().filter(key=key).first())
        account = User.objects.filter(email=invitation.email).first()
        if account is not None and account.has_usable_password():
            if user is None or user.pk != account.pk:
                raise DomainError(_("Log in as %(email)s to accept this invitation.") % {"email": invitation.email})
        else:
            if not password:
                raise DomainError(_("Choose a password."), field="password1")
            candidate = account or User(
                email=invitation.email,
                first_name=first_name.strip() or invitation.first_name,
                last_name=last_name.strip() or invitation.last_name,
                language=invitation.language,
            )
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages), field="password1") from None
            candidate.set_password(password)
            candidate.is_active = True
            candidate.save()
            account = candidate
        membership = Membership.objects.create(
            user=account,
            role=invitation.role,
            office=invitation.office,
            district=invitation.district,
            provider=invitation.provider,
            province=invitation.province,
            funder=invitation.funder,
            created_by=invitation.invited_by,
        )
        membership.districts.set(invitation.districts.all())
        transaction.on_commit(selectors.forget_people_with_a_role)
        invitation.accepted_at = timezone.now()
        invitation.membership = membership
        invitation.save(update_fields=["accepted_at", "membership"])
        # The newly accepted role becomes the current one: that is what the person came for.
        User.objects.filter(pk=account.pk).update(active_membership=membership)
        account.active_membership = membership
        # The invitation reached them at this address: it is verified.
        email_address_verify(user=account)
    return membership


def email_address_verify(*, user: User) -> None:
    """The person proved they read the mail of their address (an invitation accepted, a password reset through the
    link sent there): allauth's record of the address says so. Setting up an authenticator app needs it (allauth.mfa
    refuses while an address is unverified), and a reset request records the address unverified first."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            EmailAddress.objects.create(
                user=user,
                email=user.email,
                verified=True,
                primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
            )
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])


def membership_deactivate(*, actor: scoping.Actor, membership: Membership) -> Membership:
    """End a person's role (the history of what they did stays)."""
    if membership.user_id == actor.user.pk:
        raise DomainError(_("You cannot end your own role: ask another coordinator or the province."))
    if not actor.is_admin and membership.role not in grantable_roles(actor=actor):
        raise NotAllowed(_("You cannot change this role."))
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        User.objects.filter(pk=membership.user_id, active_membership=membership).update(active_membership=None)
        transaction.on_commit(selectors.forget_people_with_a_role)
    return membership
