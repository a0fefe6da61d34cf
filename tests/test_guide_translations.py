"""Mediators translate the guide: a coordinator asks one who speaks the language, another approves; a translation
whose Italian changed afterwards is outdated and never published."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError, NotAllowed
from guide import selectors, services
from guide.models import Translation, TranslationTask

from . import factories as f
from .guide_factories import EntryFactory, entry_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    """The categories and languages the migration seeds (a browser test's flush may have emptied them)."""
    services.reference_data_seed()


@pytest.fixture
def world():
    district = f.DistrictFactory(name="Cremona")
    provider = f.ProviderFactory(province=district.province)
    translator_user, reviewer_user = f.UserFactory(), f.UserFactory()
    f.MembershipFactory(user=translator_user, role="mediator", office=None, provider=provider, districts=[district])
    f.MembershipFactory(user=reviewer_user, role="mediator", office=None, provider=provider, districts=[district])
    translator = f.MediatorFactory(provider=provider, districts=[district], user=translator_user, languages=["ara"])
    reviewer = f.MediatorFactory(provider=provider, districts=[district], user=reviewer_user, languages=["ara"])
    entry = EntryFactory(district=district)
    staff = f.province_staff(province=district.province)
    services.entry_publish(actor=actor_for(staff), entry=entry)
    entry.refresh_from_db()
    return {
        "district": district,
        "coordinator": f.coordinator(district=district),
        "staff": staff,
        "translator": translator,
        "reviewer": reviewer,
        "entry": entry,
        "french_only": f.MediatorFactory(provider=provider, districts=[district], languages=["fra"]),
    }


def _ask(world, **extra) -> TranslationTask:
    return services.translation_task_create(
        actor=actor_for(world["coordinator"]),
        entry=world["entry"],
        language="ara",
        translator=world["translator"],
        reviewer=world["reviewer"],
        deadline=timezone.localdate() + timedelta(days=14),
        **extra,
    )


def _texts(task, **by_field) -> dict[str, str]:
    return {f"{kind}:{oid}:{field}": by_field.get(field, f"ترجمة {field}") for kind, oid, field, _ in
            services.task_sources(task)}  # fmt: skip


def test_a_coordinator_cannot_ask_a_mediator_who_does_not_speak_the_language(world):
    with pytest.raises(DomainError, match="non parla"):
        services.translation_task_create(
            actor=actor_for(world["coordinator"]),
            entry=world["entry"],
            language="ara",
            translator=world["french_only"],
            deadline=timezone.localdate() + timedelta(days=7),
        )


def test_a_deadline_in_the_past_is_refused(world):
    with pytest.raises(DomainError, match="scadenza"):
        services.translation_task_create(
            actor=actor_for(world["coordinator"]),
            entry=world["entry"],
            language="ara",
            translator=world["translator"],
            deadline=date(2000, 1, 1),
        )


def test_translated_approved_by_the_second_mediator_the_arabic_is_public(world):
    task = _ask(world)
    translator = actor_for(world["translator"].user)
    services.translation_save(actor=translator, task=task, texts=_texts(task, name="الاستشارة العائلية"), submit=True,
                              hours="1,5")  # fmt: skip
    with pytest.raises(NotAllowed):
        services.translation_task_approve(actor=translator, task=task)
    services.translation_task_approve(actor=actor_for(world["reviewer"].user), task=task)
    row = Translation.objects.get(field="name", language="ara")
    assert row.status == Translation.Status.APPROVED and row.approver == world["reviewer"].user
    entry = world["entry"]
    published = selectors.published_translations(kind="service", object_ids=[entry.service_id], language="ara")
    assert selectors.translated(entry.published["name"], published.get(field="name")) == "الاستشارة العائلية"
    assert selectors.public_entries(province=entry.province, language="ara", query="العائلية").count() == 1


def test_handing_in_needs_every_text_translated(world):
    task = _ask(world)
    with pytest.raises(DomainError, match="tutti i testi"):
        services.translation_save(actor=actor_for(world["translator"].user), task=task, texts={"x": "y"}, submit=True)


def test_another_mediator_cannot_translate_someone_elses_task(world):
    task = _ask(world)
    with pytest.raises(NotAllowed):
        services.translation_save(actor=actor_for(world["reviewer"].user), task=task, texts={}, submit=False)


def test_when_the_italian_changes_the_translation_is_outdated_and_never_published(world):
    task = _ask(world)
    services.translation_save(
        actor=actor_for(world["translator"].user), task=task, texts=_texts(task), submit=True, hours="2"
    )
    services.translation_task_approve(actor=actor_for(world["coordinator"]), task=task)
    entry = world["entry"]
    services.entry_update(
        actor=actor_for(world["coordinator"]),
        entry=entry,
        fields=entry_fields(entry, description="Nuova descrizione: anche spazio allattamento."),
    )
    row = Translation.objects.get(field="description", language="ara")
    assert row.status == Translation.Status.OUTDATED
    # The name did not change: its translation stays approved.
    assert Translation.objects.get(field="name", language="ara").status == Translation.Status.APPROVED
    services.entry_publish(actor=actor_for(world["staff"]), entry=entry)
    entry.refresh_from_db()
    assert selectors.translated(entry.published["description"], row) is None


def test_a_mediator_sees_only_the_tasks_she_translates_or_approves(world):
    task = _ask(world)
    assert list(selectors.tasks(user=world["translator"].user)) == [task]
    assert list(selectors.tasks(user=world["reviewer"].user)) == [task]
    other = f.mediator()
    assert not selectors.tasks(user=other).exists()
    assert not selectors.tasks(user=f.coordinator()).exists()
