"""Writes of the guide's translations: a coordinator asks a mediator who speaks the language
(``translation_task_create``); the mediator translates (``translation_save``); a second mediator or a coordinator
approves (``translation_task_approve``) or sends it back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import District, Province, Role
from accounts.scoping import Actor, visible
from core.errors import DomainError, NotAllowed
from mediators.languages import related_codes
from mediators.models import Mediator, MediatorLanguage

from ..labels import LABELS, is_label
from ..models import (
    GuideLanguage,
    GuideText,
    ServiceAtLocation,
    TaxonomyTerm,
    Translation,
    TranslationTask,
    source_hash,
)
from .entries import TRANSLATED_SERVICE_FIELDS, TRANSLATED_TERM_FIELDS, TRANSLATED_TEXT_FIELDS, _can_map, _mark_outdated


def guide_text_save(*, actor: Actor, province: Province, key: str = "introduction", title: str, text: str) -> GuideText:
    if not (actor.is_admin or (actor.has_role(Role.PROVINCE_STAFF) and province.pk in actor.province_ids)):
        raise NotAllowed(_("Only the province's staff write the guide's introduction."))
    if not title.strip() or not text.strip():
        raise DomainError(_("Fill in the title and the text."))
    with transaction.atomic():
        guide_text, _created = GuideText.objects.update_or_create(
            province=province, key=key, defaults={"title": title.strip(), "text": text.strip()}
        )
        _mark_outdated(
            Translation.Kind.GUIDE_TEXT, str(guide_text.pk), {"title": guide_text.title, "text": guide_text.text}
        )
    return guide_text


def guide_labels_ensure(*, province_id) -> None:
    """The province's label texts (guide.labels), added where missing: a province made after migration 0004 gets
    them when its introduction and categories are first given to a mediator. Existing rows stay as they are."""
    with transaction.atomic():
        existing = set(GuideText.objects.filter(province_id=province_id, key__in=LABELS).values_list("key", flat=True))
        GuideText.objects.bulk_create(
            GuideText(province_id=province_id, key=key, title=italian, text="")
            for key, italian in LABELS.items()
            if key not in existing
        )


def task_sources(task: TranslationTask) -> list[tuple[str, str, str, str]]:
    """What a task translates: (kind, object id, field, Italian source), the empty sources left out."""
    if task.entry_id:
        service = task.entry.service
        return [
            (Translation.Kind.SERVICE, str(service.pk), field, getattr(service, field))
            for field in TRANSLATED_SERVICE_FIELDS
            if getattr(service, field)
        ]
    # The introduction (and any other text), then the labels of the public pages in their order (guide.labels): a
    # label has its Italian in the title and no text.
    order = {key: position for position, key in enumerate(LABELS)}
    texts = sorted(
        GuideText.objects.filter(province_id=task.province_id),
        key=lambda text: (is_label(text.key), order.get(text.key, 0), text.key),
    )
    rows = [
        (Translation.Kind.GUIDE_TEXT, str(text.pk), field, getattr(text, field))
        for text in texts
        for field in TRANSLATED_TEXT_FIELDS
        if getattr(text, field)
    ]
    rows += [
        (Translation.Kind.TAXONOMY_TERM, str(term.pk), field, getattr(term, field))
        for term in TaxonomyTerm.objects.order_by("position")
        for field in TRANSLATED_TERM_FIELDS
    ]
    return rows


def _speaks(mediator: Mediator, language: str) -> bool:
    return MediatorLanguage.objects.filter(mediator=mediator, code__in=related_codes(language)).exists()


@transaction.atomic
def translation_task_create(
    *,
    actor: Actor,
    language: str,
    translator: Mediator,
    deadline: date,
    entry: ServiceAtLocation | None = None,
    district: District | None = None,
    reviewer: Mediator | None = None,
    note: str = "",
) -> TranslationTask:
    if not (actor.is_admin or actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF)):
        raise NotAllowed(_("Coordinators and province staff ask for translations."))
    if entry is not None:
        if not visible(actor.user, ServiceAtLocation).filter(pk=entry.pk).exists():
            raise NotAllowed(_("This entry is not in your district."))
        province_id, district = entry.province_id, entry.district
    else:
        if district is None:
            if not actor.has_role(Role.PROVINCE_STAFF):
                raise NotAllowed(_("Only the province's staff ask for the introduction to be translated."))
            province_id = next(iter(actor.province_ids))
        else:
            if not _can_map(actor, province=district.province, district=district):
                raise NotAllowed(_("This district is not yours."))
            province_id = district.province_id
    if not GuideLanguage.objects.filter(code=language, is_active=True).exists():
        raise DomainError(_("The guide is not published in this language."), field="language")
    mediators = visible(actor.user, Mediator)
    for person in (translator, reviewer):
        if person is not None and not mediators.filter(pk=person.pk).exists():
            raise NotAllowed(_("This mediator does not serve your district."), field="translator")
        if person is not None and not _speaks(person, language):
            raise DomainError(
                _("%(name)s does not speak this language.") % {"name": person.full_name}, field="translator"
            )
    if reviewer is not None and reviewer.pk == translator.pk:
        raise DomainError(_("The second mediator must be another person."), field="reviewer")
    if deadline < timezone.localdate():
        raise DomainError(_("The deadline is in the past."), field="deadline")
    if entry is None:
        guide_labels_ensure(province_id=province_id)
    return TranslationTask.objects.create(
        province_id=province_id,
        district=district,
        entry=entry,
        language=language,
        translator=translator,
        reviewer=reviewer,
        deadline=deadline,
        note=note.strip(),
        requested_by=actor.user,
    )


MAX_HOURS = Decimal("40")


def clean_hours(value) -> Decimal | None:
    """The hours a translation took, as the translator typed them ("1,5", "2"): more than 0, at most 40, to the
    hundredth; empty is None. Anything else is a DomainError on the field ``hours``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(_("Write the hours spent as a number, e.g. 1,5."), field="hours") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise DomainError(_("The hours spent are more than 0 and at most 40."), field="hours")
    if hours != hours.quantize(Decimal("0.01")):
        raise DomainError(_("The hours spent have at most two decimals, e.g. 1,25."), field="hours")
    return hours


@transaction.atomic
def translation_save(
    *, actor: Actor, task: TranslationTask, texts: dict[str, str], submit: bool, hours=None
) -> TranslationTask:
    """The translator's work: ``texts`` by ``kind:object_id:field``. Submitting needs every text translated and the
    hours spent (more than 0, at most 40: ``clean_hours``); nothing is saved when anything is refused."""
    task = (
        TranslationTask.objects.select_for_update(of=("self",))
        .select_related("translator", "entry__service")
        .get(pk=task.pk)
    )
    if task.translator.user_id is None or task.translator.user_id != getattr(actor.user, "pk", None):
        raise NotAllowed(_("Only the mediator asked for it translates this."))
    if task.status != TranslationTask.Status.OPEN:
        raise DomainError(_("This translation has already been handed in."))
    hours = clean_hours(hours)
    sources = task_sources(task)
    missing = 0
    for kind, object_id, field, source in sources:
        text = (texts.get(f"{kind}:{object_id}:{field}") or "").strip()
        if not text:
            missing += 1
            continue
        Translation.objects.update_or_create(
            object_kind=kind,
            object_id=object_id,
            field=field,
            language=task.language,
            defaults={
                "text": text,
                "source_hash": source_hash(source),
                "status": Translation.Status.SUBMITTED if submit else Translation.Status.DRAFT,
                "translator": actor.user,
                "approver": None,
                "approved_at": None,
            },
        )
    if hours is not None:
        task.hours_spent = hours
    if submit:
        if missing:
            raise DomainError(_("Translate every text before handing it in."))
        if hours is None and task.hours_spent is None:
            raise DomainError(_("Say how many hours the translation took."), field="hours")
        task.status = TranslationTask.Status.SUBMITTED
    task.save(update_fields=["status", "hours_spent"])
    return task


def can_approve(actor: Actor, task: TranslationTask) -> bool:
    if actor.user is None or task.translator.user_id == actor.user.pk:
        return False
    if actor.has_role(Role.MEDIATOR):
        return task.reviewer is not None and task.reviewer.user_id == actor.user.pk
    if actor.is_admin:
        return True
    return visible(actor.user, TranslationTask).filter(pk=task.pk).exists() and actor.has_role(
        Role.COORDINATOR, Role.PROVINCE_STAFF
    )


@transaction.atomic
def translation_task_approve(*, actor: Actor, task: TranslationTask) -> TranslationTask:
    task = (
        TranslationTask.objects.select_for_update(of=("self",)).select_related("translator", "reviewer").get(pk=task.pk)
    )
    if not can_approve(actor, task):
        raise NotAllowed(_("A second mediator or a coordinator approves, not the translator."))
    if task.status != TranslationTask.Status.SUBMITTED:
        raise DomainError(_("Only a translation handed in can be approved."))
    outdated = 0
    for kind, object_id, field, source in task_sources(task):
        row = Translation.objects.filter(
            object_kind=kind, object_id=object_id, field=field, language=task.language
        ).first()
        if row is None:
            continue
        if row.source_hash != source_hash(source):
            # The Italian changed while the translation was being checked: never approve a translation of old text.
            row.status = Translation.Status.OUTDATED
            outdated += 1
        else:
            row.status, row.approver, row.approved_at = Translation.Status.APPROVED, actor.user, timezone.now()
        row.save(update_fields=["status", "approver", "approved_at", "updated_at"])
    task.status, task.approved_at = TranslationTask.Status.APPROVED, timezone.now()
    task.save(update_fields=["status", "approved_at"])
    return task


@transaction.atomic
def translation_task_return(*, actor: Actor, task: TranslationTask, note: str) -> TranslationTask:
    task = (
        TranslationTask.objects.select_for_update(of=("self",)).select_related("translator", "reviewer").get(pk=task.pk)
    )
    if not can_approve(actor, task):
        raise NotAllowed(_("A second mediator or a coordinator approves, not the translator."))
    if task.status != TranslationTask.Status.SUBMITTED:
        raise DomainError(_("Only a translation handed in can be sent back."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what the translator should correct."), field="note")
    task.status, task.note = TranslationTask.Status.OPEN, note
    task.save(update_fields=["status", "note"])
    return task
