"""Every write to the roster. Keyword-only, one transaction each, domain errors in the user's language."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import District, Provider, Role
from accounts.scoping import Actor, actor_for, visible
from core.errors import DomainError, NotAllowed

from . import selectors
from .models import (
    Absence,
    AvailabilitySlot,
    Mediator,
    MediatorCountry,
    MediatorLanguage,
    Mode,
    Qualification,
    QualificationExpiryNotice,
    Setting,
    Training,
)

PROFILE_FIELDS = [
    "first_name",
    "last_name",
    "gender",
    "email",
    "phone",
    "cultural_areas",
    "max_weekly_hours",
    "hourly_rate",
    "travel_rate",
    "is_active",
    "coordinator_notes",
    *(f"mode_{mode}" for mode in Mode.values),
    *(f"exp_{setting}" for setting in Setting.values),
]


def _check_provider_and_districts(*, actor: Actor, provider: Provider, districts: Iterable[District]) -> list[District]:
    districts = list(districts)
    if not visible(actor.user, Provider).filter(pk=provider.pk).exists():
        raise NotAllowed(_("You cannot add mediators to this provider."), field="provider")
    if not districts:
        raise DomainError(_("Choose at least one district the mediator serves."), field="districts")
    if any(d.province_id != provider.province_id for d in districts):
        raise DomainError(_("The districts must be in the province of the provider."), field="districts")
    return districts


def _merge_districts(*, actor: Actor, mediator: Mediator | None, chosen: list[District]) -> list[District]:
    """A coordinator changes only the districts they see; the mediator's other districts stay as they are."""
    editable = set(visible(actor.user, District).values_list("pk", flat=True))
    if any(d.pk not in editable for d in chosen):
        raise NotAllowed(_("You cannot assign mediators to these districts."), field="districts")
    kept = [] if mediator is None else [d for d in mediator.districts.all() if d.pk not in editable]
    return kept + chosen


def _replace_languages(mediator: Mediator, languages: Iterable[dict]) -> None:
    mediator.languages.all().delete()
    seen = set()
    rows = []
    for entry in languages:
        key = (entry["code"], entry.get("variant", "").strip())
        if key in seen:
            raise DomainError(_("The same language and variant are listed twice."), field="languages")
        seen.add(key)
        rows.append(
            MediatorLanguage(
                mediator=mediator,
                code=entry["code"],
                variant=entry.get("variant", "").strip(),
                level=entry.get("level") or "fluent",
                written_translation=bool(entry.get("written_translation")),
            )
        )
    MediatorLanguage.objects.bulk_create(rows)


def _replace_countries(mediator: Mediator, countries: Iterable[str]) -> None:
    mediator.countries.all().delete()
    MediatorCountry.objects.bulk_create(
        [MediatorCountry(mediator=mediator, code=code.upper()) for code in sorted(set(countries))]
    )


def _replace_trainings(mediator: Mediator, trainings: Iterable[dict]) -> None:
    mediator.trainings.all().delete()
    Training.objects.bulk_create([Training(mediator=mediator, **entry) for entry in trainings])


def _replace_qualifications(mediator: Mediator, qualifications: Iterable[dict]) -> None:
    mediator.qualifications.all().delete()
    Qualification.objects.bulk_create([Qualification(mediator=mediator, **entry) for entry in qualifications])


def _save_related(mediator, districts, languages, countries, trainings, qualifications) -> None:
    """What a profile form sends besides the fields: all of it replaces what was there."""
    mediator.districts.set(districts)
    _replace_languages(mediator, languages)
    _replace_countries(mediator, countries)
    _replace_trainings(mediator, trainings)
    _replace_qualifications(mediator, qualifications)


def _check_email_free(email: str, mediator: Mediator | None) -> str:
    email = email.strip().lower()
    others = Mediator.objects.filter(email__iexact=email)
    if mediator is not None:
        others = others.exclude(pk=mediator.pk)
    if others.exists():
        raise DomainError(_("Another mediator already uses this e-mail address."), field="email")
    return email


@transaction.atomic
def mediator_create(
    *,
    actor: Actor,
    provider: Provider,
    districts: Iterable[District],
    fields: dict,
    languages: Iterable[dict] = (),
    countries: Iterable[str] = (),
    trainings: Iterable[dict] = (),
    qualifications: Iterable[dict] = (),
) -> Mediator:
    if not selectors.can_manage_roster(user=actor.user):
        raise NotAllowed(_("Only coordinators and province staff add mediators."))
    chosen = _check_provider_and_districts(actor=actor, provider=provider, districts=districts)
    districts = _merge_districts(actor=actor, mediator=None, chosen=chosen)
    values = {name: fields[name] for name in PROFILE_FIELDS if name in fields}
    values["email"] = _check_email_free(values.get("email", ""), None)
    mediator = Mediator.objects.create(provider=provider, **values)
    _save_related(mediator, districts, languages, countries, trainings, qualifications)
    selectors.forget_roster_languages(province_ids=[provider.province_id])
    return mediator


@transaction.atomic
def mediator_update(
    *,
    actor: Actor,
    mediator: Mediator,
    provider: Provider,
    districts: Iterable[District],
    fields: dict,
    languages: Iterable[dict],
    countries: Iterable[str],
    trainings: Iterable[dict],
    qualifications: Iterable[dict],
) -> Mediator:
    if not selectors.can_edit_profile(user=actor.user, mediator=mediator):
        raise NotAllowed(_("You cannot change this mediator's profile."))
    chosen = _check_provider_and_districts(actor=actor, provider=provider, districts=districts)
    districts = _merge_districts(actor=actor, mediator=mediator, chosen=chosen)
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(mediator, name, fields[name])
    mediator.email = _check_email_free(mediator.email, mediator)
    # The roster's language menus of the province it leaves (another provider) and of the one it is in.
    provinces = {provider.province_id, Provider.objects.get(pk=mediator.provider_id).province_id}
    mediator.provider = provider
    mediator.save()
    _save_related(mediator, districts, languages, countries, trainings, qualifications)
    selectors.forget_roster_languages(province_ids=provinces)
    return mediator


@transaction.atomic
def mediator_update_contacts(*, actor: Actor, mediator: Mediator, phone: str, email: str) -> Mediator:
    """What a mediator may change about themselves: how to reach them."""
    if not selectors.can_edit_availability(user=actor.user, mediator=mediator):
        raise NotAllowed(_("You cannot change these contacts."))
    mediator.phone = phone.strip()
    mediator.email = _check_email_free(email, mediator)
    mediator.save(update_fields=["phone", "email", "updated_at"])
    return mediator


def _check_slots(slots: list[tuple[int, time, time]]) -> None:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in slots:
        if end <= start:
            raise DomainError(_("Each time slot must end after it starts."), field="slots")
        by_day.setdefault(weekday, []).append((start, end))
    for ranges in by_day.values():
        ranges.sort()
        for (_s1, e1), (s2, _e2) in zip(ranges, ranges[1:], strict=False):
            if s2 < e1:
                raise DomainError(_("Two time slots of the same day overlap."), field="slots")


@transaction.atomic
def mediator_set_availability(
    *,
    actor: Actor,
    mediator: Mediator,
    slots: list[tuple[int, time, time]],
    absences: list[tuple[date, date, str]],
) -> Mediator:
    """Replace the weekly slots and the absences of a mediator."""
    if not selectors.can_edit_availability(user=actor.user, mediator=mediator):
        raise NotAllowed(_("You cannot change this availability."))
    _check_slots(slots)
    for start, end, _reason in absences:
        if end < start:
            raise DomainError(_("An absence must end on or after its first day."), field="absences")
    mediator.slots.all().delete()
    AvailabilitySlot.objects.bulk_create(
        [AvailabilitySlot(mediator=mediator, weekday=w, start_time=s, end_time=e) for w, s, e in slots]
    )
    mediator.absences.all().delete()
    Absence.objects.bulk_create(
        [Absence(mediator=mediator, start_date=s, end_date=e, reason=r.strip()) for s, e, r in absences]
    )
    return mediator


def qualification_expiry_notify(*, today: date) -> int:
    """E-mail each district's coordinators the qualifications expiring within 30 days. Returns e-mails sent.

    Each qualification is announced once to each district its mediator serves (``QualificationExpiryNotice``), so
    running the daily task twice sends nothing new. A district without a coordinator is told nothing and keeps
    nothing: its first coordinator hears of the qualifications still expiring.
    """
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from accounts.models import Membership, Role

    sent = 0
    districts = District.objects.filter(
        mediators__qualifications__isnull=False,
        membership__role=Role.COORDINATOR,
        membership__is_active=True,
        membership__user__is_active=True,
    ).distinct()
    for district in districts:
        with transaction.atomic():
            due = list(
                selectors.qualifications_expiring_for_district(district=district, today=today)
                .exclude(expiry_notices__district=district)
                .select_for_update(of=("self",))
            )
            if not due:
                continue
            coordinators = (
                Membership.objects.filter(
                    role=Role.COORDINATOR, district=district, is_active=True, user__is_active=True
                )
                .select_related("user")
                .order_by("pk")
            )
            for membership in coordinators:
                with translation.override(membership.user.language):
                    body = render_to_string(
                        "mediators/email/qualifications_expiring.txt",
                        {"district": district, "qualifications": due, "base_url": settings.PORTAL_BASE_URL},
                    )
                    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Qualifications expiring in %(district)s") % {
                        "district": district.name
                    }
                send_mail(subject, body, None, [membership.user.email])
                sent += 1
            QualificationExpiryNotice.objects.bulk_create(
                [QualificationExpiryNotice(qualification=q, district=district, notified_on=today) for q in due]
            )
    return sent


def can_reset_calendar_token(*, user, mediator: Mediator) -> bool:
    """The mediator themself, or a coordinator of a district they serve (and administrators)."""
    actor = actor_for(user)
    if actor.is_admin:
        return True
    if actor.role == Role.MEDIATOR:
        return mediator.user_id is not None and mediator.user_id == user.pk
    if actor.role == Role.COORDINATOR:
        return mediator.districts.filter(pk__in=actor.district_ids).exists()
    return False


@transaction.atomic
def mediator_calendar_token_reset(*, actor: Actor, mediator: Mediator) -> str:
    """Give the mediator a new secret calendar address; the old one stops working at once (revocation)."""
    if not can_reset_calendar_token(user=actor.user, mediator=mediator):
        raise NotAllowed(_("You cannot change this mediator's calendar address."))
    mediator.calendar_token = secrets.token_urlsafe(32)
    Mediator.objects.filter(pk=mediator.pk).update(calendar_token=mediator.calendar_token)
    return mediator.calendar_token
