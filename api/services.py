"""Writes of the API's own data: tokens (made, revoked, used) and the answers kept for idempotent calls.

Keyword-only, one transaction each, domain errors in the user's language (core.errors)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import SYSTEM_EMAIL_DOMAIN, District, Funder, Membership, Office, Province, Role, User
from accounts.scoping import Actor, visible
from core.errors import DomainError, NotAllowed

from .models import ApiToken, IdempotentCall

KEY_START = "mdz_"
MAX_DAYS = 730
# A token's last use is written at most this often: a busy system does not write a row at every call.
LAST_USED_EVERY = timedelta(minutes=1)
# The roles a token may act in, and the organisation each needs.
TOKEN_ROLES = {
    Role.SOCIAL_WORKER: "office",
    Role.COORDINATOR: "district",
    Role.PROVINCE_STAFF: "province",
    Role.FUNDER_VIEWER: "funder",
    Role.MEDIATOR: "mediator",
}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = get_random_string(10, "abcdefghijklmnopqrstuvwxyz0123456789")
    return prefix, f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"


def may_manage_tokens(actor: Actor) -> bool:
    return actor.is_admin or actor.role == Role.PROVINCE_STAFF


def _organisation(actor: Actor, role: str, *, office, district, province, funder, mediator) -> dict:
    """The organisation the token acts for, checked against what the actor may hand out."""
    needed = TOKEN_ROLES.get(role)
    if needed is None:
        raise DomainError(
            _("A token acts as a social worker, a coordinator, province staff, a funder viewer or a mediator."),
            field="role",
        )
    value = {"office": office, "district": district, "province": province, "funder": funder, "mediator": mediator}[
        needed
    ]
    if value is None:
        raise DomainError(_("Choose the organisation the system acts for."), field=needed)
    if needed == "funder":
        # A funder reads several provinces: only an administrator hands out its token.
        if not actor.is_admin:
            raise NotAllowed(_("Only an administrator makes a token for a funder."), field="funder")
        return {"funder": value}
    if needed == "mediator":
        if value.role != Role.MEDIATOR or not value.is_active:
            raise DomainError(_("Choose an active mediator."), field="mediator")
        if not actor.is_admin and value.provider.province_id not in actor.province_ids:
            raise NotAllowed(_("This mediator works for another province."), field="mediator")
        return {"mediator": value}
    model = {"office": Office, "district": District, "province": Province}[needed]
    if not visible(actor.user, model).filter(pk=value.pk).exists():
        raise NotAllowed(_("You cannot make tokens for this organisation."), field=needed)
    return {needed: value}


def _province_of(scope: dict) -> Province | None:
    if "office" in scope:
        return scope["office"].district.province
    if "district" in scope:
        return scope["district"].province
    if "province" in scope:
        return scope["province"]
    if "mediator" in scope:
        return scope["mediator"].provider.province
    return None


@transaction.atomic
def token_create(
    *,
    actor: Actor,
    name: str,
    role: str,
    days: int = 365,
    office: Office | None = None,
    district: District | None = None,
    province: Province | None = None,
    funder: Funder | None = None,
    mediator: Membership | None = None,
) -> tuple[ApiToken, str]:
    """Make a token and return it with its key, the only time the key is seen. An organisation's token acts as a new
    system account with that one role; a mediator's acts as the mediator."""
    if not may_manage_tokens(actor):
        raise NotAllowed(_("Only province staff and administrators make API tokens."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name: which system will use it."), field="name")
    if len(name) > 120:
        raise DomainError(_("The name is too long: at most 120 characters."), field="name")
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_("A token lasts from 1 to %(days)s days.") % {"days": MAX_DAYS}, field="days")
    scope = _organisation(
        actor, role, office=office, district=district, province=province, funder=funder, mediator=mediator
    )
    prefix, key = _new_key()
    if "mediator" in scope:
        user = scope["mediator"].user
    else:
        user = User.objects.create_user(
            email=f"{slugify(name)[:40] or 'sistema'}-{prefix}@{SYSTEM_EMAIL_DOMAIN}",
            first_name=_("System"),
            last_name=name,
        )
        membership = Membership.objects.create(user=user, role=role, created_by=actor.user, **scope)
        User.objects.filter(pk=user.pk).update(active_membership=membership)
    (organisation,) = scope.values()
    token = ApiToken.objects.create(
        name=name,
        user=user,
        role=role,
        acts_for=str(organisation.user if "mediator" in scope else organisation)[:250],
        province=_province_of(scope),
        prefix=prefix,
        key_hash=key_hash(key),
        created_by=actor.user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Stop a token at once. A system account is switched off with it; a mediator keeps their own account."""
    if not may_manage_tokens(actor):
        raise NotAllowed(_("Only province staff and administrators revoke API tokens."))
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError(_("This token was already revoked."))
    token.revoked_at = timezone.now()
    token.revoked_by = actor.user
    token.save(update_fields=["revoked_at", "revoked_by"])
    if token.user.is_system:
        User.objects.filter(pk=token.user_id).update(is_active=False)
        Membership.objects.filter(user_id=token.user_id).update(is_active=False)
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The usable token a key opens, or None. The key's hash is compared in constant time."""
    if not key.startswith(KEY_START) or key.count("_") < 2:
        return None
    prefix = key[len(KEY_START) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, key_hash(key)):
        return None
    now = timezone.now()
    if not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # One UPDATE, atomic by itself.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- Idempotent calls -------------------------------------------------------------------------------------------------


def call_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def idempotent_answer(*, user: User, key: str) -> IdempotentCall | None:
    return IdempotentCall.objects.filter(user=user, key=key).first()


def idempotent_claim(*, user: User, key: str, fingerprint: str) -> bool:
    """Claim ``key`` for a call about to write, in the caller's transaction: its row is written first, so that a
    second call with the same key waits on the unique index until the first commits. False when another call holds
    (or held) the key: the caller makes nothing and answers what that call answered. If the caller's transaction
    rolls back (a refused call), the claim goes with it and the key can be used again."""
    try:
        with transaction.atomic():
            IdempotentCall.objects.create(user=user, key=key, fingerprint=fingerprint, status=0, body={})
    except IntegrityError:
        return False
    return True


def idempotent_keep(*, user: User, key: str, status: int, body) -> None:
    """The answer of the call that claimed ``key``, given again to every later call with it."""
    IdempotentCall.objects.filter(user=user, key=key).update(status=status, body=body)
