"""The mini-guide's mapping life: a district drafts and submits, the province publishes or sends back; every change
has a history; the public reads only the published version; old entries are flagged to their district."""

from datetime import date

import pytest
import time_machine
from django.http import Http404

from accounts.scoping import actor_for
from core.errors import DomainError, NotAllowed
from guide import selectors, services
from guide.models import EntryChange, EntryState

from . import factories as f
from .guide_factories import EntryFactory, category, entry_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    """The categories and languages the migration seeds (a browser test's flush may have emptied them)."""
    services.reference_data_seed()


@pytest.fixture
def cremona():
    district = f.DistrictFactory(name="Cremona")
    return {
        "district": district,
        "coordinator": f.coordinator(district=district),
        "other_coordinator": f.coordinator(district=f.DistrictFactory(province=district.province)),
        "staff": f.province_staff(province=district.province),
        "foreign_staff": f.province_staff(),
    }


def test_a_coordinator_drafts_an_entry_of_her_district_and_the_history_says_who_wrote_what(cremona):
    actor = actor_for(cremona["coordinator"])
    entry = services.entry_create(
        actor=actor,
        province=cremona["district"].province,
        district=cremona["district"],
        fields=entry_fields(),
        phones=[{"number": "+39 0372 555 0199"}],
        languages=["ita", "ara"],
    )
    assert entry.state == EntryState.DRAFT and not entry.is_public
    change = entry.changes.get()
    assert change.by == cremona["coordinator"] and change.action == EntryChange.Action.CREATED
    assert change.changes["name"] == [None, "Consultorio familiare di Cremona"]
    assert change.changes["phones"] == [None, [["+39 0372 555 0199", "voice", ""]]]


def test_a_coordinator_cannot_add_an_entry_to_another_district(cremona):
    with pytest.raises(NotAllowed):
        services.entry_create(
            actor=actor_for(cremona["other_coordinator"]),
            province=cremona["district"].province,
            district=cremona["district"],
            fields=entry_fields(),
        )


def test_a_wrong_phone_number_is_a_message_and_nothing_is_saved(cremona):
    with pytest.raises(DomainError, match="non è un numero di telefono"):
        services.entry_create(
            actor=actor_for(cremona["coordinator"]),
            province=cremona["district"].province,
            district=cremona["district"],
            fields=entry_fields(),
            phones=[{"number": "chiamare Luca"}],
        )
    assert not selectors.entries(user=cremona["staff"]).exists()


def test_submitted_then_published_by_the_province_the_entry_becomes_public(cremona):
    entry = EntryFactory(district=cremona["district"])
    services.entry_submit(actor=actor_for(cremona["coordinator"]), entry=entry)
    with pytest.raises(NotAllowed):
        services.entry_publish(actor=actor_for(cremona["coordinator"]), entry=entry)
    with pytest.raises(NotAllowed):
        services.entry_publish(actor=actor_for(cremona["foreign_staff"]), entry=entry)
    entry = services.entry_publish(actor=actor_for(cremona["staff"]), entry=entry)
    assert entry.state == EntryState.PUBLISHED and entry.is_public
    assert list(selectors.public_entries(province=cremona["district"].province)) == [entry]
    assert [c.action for c in entry.changes.order_by("pk")] == ["submitted", "published"]


def test_the_province_sends_an_entry_back_with_a_note_and_the_district_corrects_it(cremona):
    entry = EntryFactory(district=cremona["district"])
    services.entry_submit(actor=actor_for(cremona["coordinator"]), entry=entry)
    with pytest.raises(DomainError, match="correggere"):
        services.entry_return(actor=actor_for(cremona["staff"]), entry=entry, note="  ")
    entry = services.entry_return(actor=actor_for(cremona["staff"]), entry=entry, note="Manca l'orario del sabato.")
    assert entry.state == EntryState.RETURNED and entry.review_note == "Manca l'orario del sabato."
    services.entry_submit(actor=actor_for(cremona["coordinator"]), entry=entry)
    assert not entry.is_public


def test_editing_a_published_entry_leaves_the_public_page_alone_until_it_is_published_again(cremona):
    entry = EntryFactory(district=cremona["district"])
    services.entry_publish(actor=actor_for(cremona["staff"]), entry=entry)
    entry.refresh_from_db()
    services.entry_update(
        actor=actor_for(cremona["coordinator"]),
        entry=entry,
        fields=entry_fields(entry, name="Consultorio familiare – nuova sede"),
        phones=[{"number": "+39 0372 555 0102"}],
    )
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT and entry.is_public
    assert entry.published["name"] != "Consultorio familiare – nuova sede"
    assert selectors.public_entries(province=entry.province, query="nuova sede").count() == 0
    update = entry.changes.get(action=EntryChange.Action.UPDATED)
    assert update.changes["name"][1] == "Consultorio familiare – nuova sede"
    assert update.changes["phones"] == [[["+39 0372 555 0101", "voice", ""]], [["+39 0372 555 0102", "voice", ""]]]
    services.entry_publish(actor=actor_for(cremona["staff"]), entry=entry)
    assert selectors.public_entries(province=entry.province, query="nuova sede").count() == 1


def test_a_coordinator_cannot_edit_an_entry_awaiting_review(cremona):
    entry = EntryFactory(district=cremona["district"])
    services.entry_submit(actor=actor_for(cremona["coordinator"]), entry=entry)
    with pytest.raises(DomainError, match="in revisione"):
        services.entry_update(actor=actor_for(cremona["coordinator"]), entry=entry, fields=entry_fields(entry))


def test_drafts_of_another_district_do_not_exist_for_its_coordinator(cremona):
    entry = EntryFactory(district=cremona["district"])
    with pytest.raises(Http404):
        selectors.entry_for(user=cremona["other_coordinator"], pk=entry.pk)
    with pytest.raises(Http404):
        selectors.entry_for(user=cremona["foreign_staff"], pk=entry.pk)
    assert selectors.entry_for(user=cremona["staff"], pk=entry.pk) == entry


def test_a_draft_is_not_public(cremona):
    entry = EntryFactory(district=cremona["district"])
    with pytest.raises(Http404):
        selectors.public_entry(province=entry.province, pk=entry.pk)


@time_machine.travel(date(2026, 6, 15), tick=False)
def test_entries_not_reviewed_for_twelve_months_are_flagged_to_their_district(cremona):
    old = EntryFactory(district=cremona["district"], assured_date=date(2025, 6, 14))
    EntryFactory(district=cremona["district"], assured_date=date(2025, 6, 15))
    EntryFactory(assured_date=date(2020, 1, 1))  # another province's: not theirs to call
    assert list(selectors.entries_to_review(user=cremona["coordinator"])) == [old]
    services.entry_confirm_reviewed(actor=actor_for(cremona["coordinator"]), entry=old)
    assert not selectors.entries_to_review(user=cremona["coordinator"]).exists()
    assert old.changes.get().action == EntryChange.Action.REVIEWED


def test_the_public_search_finds_medico_scuola_and_permesso_in_published_italian(cremona):
    for name, code in [
        ("Pediatra di libera scelta – medico dei bambini", "salute"),
        ("Iscrizione alla scuola dell'infanzia", "scuola-infanzia"),
        ("Sportello stranieri: permesso di soggiorno", "legale-permesso"),
    ]:
        entry = EntryFactory(district=cremona["district"], service__name=name, service__category=category(code))
        services.entry_publish(actor=actor_for(cremona["staff"]), entry=entry)
    province = cremona["district"].province
    for word, expected in [("medico", 1), ("SCUOLA", 1), ("permesso", 1), ("ospedale", 0)]:
        assert selectors.public_entries(province=province, query=word).count() == expected, word
