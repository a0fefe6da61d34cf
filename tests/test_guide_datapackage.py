"""The directory as an HSDS datapackage: exported, re-imported into an empty province with the same entries; a
wrong row is a message naming its table, row and column, and nothing is saved."""

import csv
import io
import json
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.scoping import actor_for
from guide import datapackage, selectors, services
from guide.datapackage import DatapackageErrors
from guide.models import EntryChange, ServiceAtLocation

from . import factories as f
from .guide_factories import ADMIN, EntryFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    """The categories and languages the migration seeds (a browser test's flush may have emptied them)."""
    services.reference_data_seed()


def _rewrite(data: bytes, table: str, change) -> bytes:
    """The same datapackage with one table's rows changed by ``change(rows)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == f"{table}.csv":
                rows = list(csv.DictReader(io.StringIO(content.decode())))
                fieldnames = list(rows[0].keys()) if rows else []
                rows = change(rows)
                text = io.StringIO()
                writer = csv.DictWriter(text, fieldnames=fieldnames, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
                content = text.getvalue().encode()
            target.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def exported():
    district = f.DistrictFactory(name="Crema")
    staff = f.province_staff(province=district.province)
    EntryFactory(
        district=district, service__name="CPIA – corsi di italiano", service__category=category("corsi-lingua")
    )
    EntryFactory(district=district, service__name="Sportello stranieri", service__category=category("legale-permesso"))
    EntryFactory(
        district=None,
        province=district.province,
        service__name="Numero unico di emergenza 112",
        service__category=category("emergenza"),
    )
    entries = selectors.entries(user=staff)
    return {"data": datapackage.export_zip(entries), "entries": list(entries.order_by("service__name"))}


def test_the_export_is_a_datapackage_with_one_hsds_table_a_file(exported):
    archive = zipfile.ZipFile(io.BytesIO(exported["data"]))
    descriptor = json.loads(archive.read("datapackage.json"))
    assert {r["path"] for r in descriptor["resources"]} == {f"{t}.csv" for t in datapackage.TABLES}
    services_csv = list(csv.DictReader(io.StringIO(archive.read("service.csv").decode())))
    assert sorted(r["name"] for r in services_csv) == [
        "CPIA – corsi di italiano",
        "Numero unico di emergenza 112",
        "Sportello stranieri",
    ]
    assert "fees_description" in services_csv[0] and "eligibility_description" in services_csv[0]


def _as_from_another_installation(data: bytes) -> bytes:
    """The same datapackage with new entry ids, as another portal's export of the same services would have."""
    ids = {}

    def new_id(value):
        return ids.setdefault(value, str(uuid.uuid4()))

    def entries(rows):
        return [{**row, "id": new_id(row["id"])} for row in rows]

    def children(rows):
        return [{**row, "service_at_location_id": new_id(row["service_at_location_id"])} for row in rows]

    data = _rewrite(data, "service_at_location", entries)
    return _rewrite(_rewrite(data, "phone", children), "schedule", children)


def test_exported_and_imported_into_another_province_the_entries_are_the_same(exported):
    empty = f.DistrictFactory(name="Crema")  # a district of the same name, in a province with no guide yet
    staff = f.province_staff(province=empty.province)
    result = datapackage.datapackage_import(
        actor=actor_for(staff), data=_as_from_another_installation(exported["data"])
    )
    assert (len(result.created), len(result.updated), len(result.unchanged)) == (3, 0, 0)
    imported = sorted(result.created, key=lambda e: e.service.name)
    for before, after in zip(exported["entries"], imported, strict=True):
        assert services.entry_state(after) == services.entry_state(before)
        assert after.province == empty.province and after.state == "draft"
        assert after.changes.get().action == "imported"


def test_a_wrong_row_names_table_row_and_column_and_nothing_is_saved(exported):
    empty = f.DistrictFactory(name="Crema")
    staff = f.province_staff(province=empty.province)

    def break_rows(rows):
        rows[1]["number"] = "telefonare a Luca"
        return rows

    def break_language(rows):
        rows[0]["code"] = "xx1"
        return rows

    data = _rewrite(_rewrite(exported["data"], "phone", break_rows), "language", break_language)
    before = ServiceAtLocation.objects.count()
    with pytest.raises(DatapackageErrors) as caught:
        datapackage.datapackage_import(actor=actor_for(staff), data=data)
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith("phone.csv, riga 3, colonna number") for m in messages), messages
    assert any(m.startswith("language.csv, riga 2, colonna code") for m in messages), messages
    assert ServiceAtLocation.objects.count() == before


def test_a_coordinator_imports_only_her_own_district(exported):
    crema = f.DistrictFactory(name="Crema")
    other = f.DistrictFactory(name="Cremona", province=crema.province)
    with pytest.raises(DatapackageErrors) as caught:
        datapackage.datapackage_import(actor=actor_for(f.coordinator(district=other)), data=exported["data"])
    assert any("proprio ambito" in str(e) for e in caught.value.errors)


def test_a_file_that_is_not_a_zip_is_a_message():
    staff = f.province_staff()
    with pytest.raises(DatapackageErrors) as caught:
        datapackage.datapackage_import(actor=actor_for(staff), data=b"name,description\n")
    assert [str(e) for e in caught.value.errors] == ["Il file non è un archivio zip."]


def test_the_import_page_lists_every_wrong_row_in_italian_and_the_export_downloads_a_zip(exported, client):
    empty = f.DistrictFactory(name="Crema")
    client.force_login(f.province_staff(province=empty.province))

    def break_rows(rows):
        rows[0]["byday"] = "lunedì"
        return rows

    upload = io.BytesIO(_rewrite(exported["data"], "schedule", break_rows))
    upload.name = "guida.zip"
    response = client.post(reverse("guide:import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "schedule.csv, riga 2, colonna byday: I giorni si scrivono MO,TU,WE,TH,FR,SA,SU." in html
    assert not ServiceAtLocation.objects.filter(province=empty.province).exists()
    download = client.get(reverse("guide:export"))
    assert download["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(download.content)).namelist()[0] == "organization.csv"


# --- Importing again: the entries are updated by their HSDS id ----------------------------------------------------


@pytest.fixture
def published_crema():
    district = f.DistrictFactory(name="Crema")
    staff = f.province_staff(province=district.province)
    for name, code in (("CPIA – corsi di italiano", "corsi-lingua"), ("Sportello stranieri", "legale-permesso")):
        entry = EntryFactory(
            district=district,
            service__name=name,
            service__category=category(code),
            location__latitude=Decimal("45.362300"),
            location__longitude=Decimal("9.685300"),
        )
        services.entry_publish(actor=ADMIN, entry=entry)
    return {"district": district, "staff": staff, "data": datapackage.export_zip(selectors.entries(user=staff))}


def _snapshot():
    return {
        entry.pk: (entry.state, entry.last_modified, entry.changes.count(), services.entry_state(entry))
        for entry in ServiceAtLocation.objects.all()
    }


def test_importing_the_export_again_changes_nothing_and_makes_no_duplicate(published_crema):
    before = _snapshot()
    result = datapackage.datapackage_import(actor=actor_for(published_crema["staff"]), data=published_crema["data"])
    assert (len(result.created), len(result.updated), len(result.unchanged)) == (0, 0, 2)
    assert _snapshot() == before  # still published, same history, same coordinates, no duplicate


def test_a_changed_row_makes_the_entry_a_draft_with_the_change_in_its_history(published_crema):
    def new_hours(rows):
        for row in rows:
            if row["name"] == "Sportello stranieri":
                row["description"] = "Permesso di soggiorno, cittadinanza e residenza: su appuntamento."
        return rows

    data = _rewrite(published_crema["data"], "service", new_hours)
    result = datapackage.datapackage_import(actor=actor_for(published_crema["staff"]), data=data)
    assert (len(result.created), len(result.updated), len(result.unchanged)) == (0, 1, 1)
    entry = ServiceAtLocation.objects.get(service__name="Sportello stranieri")
    assert entry.state == "draft" and entry.is_public  # the public keeps the published version meanwhile
    change = entry.changes.first()
    assert change.action == EntryChange.Action.IMPORTED and change.by == published_crema["staff"]
    assert change.changes == {
        "description": [
            "Sostegno a gravidanza, genitori e coppie. Colloqui gratuiti su appuntamento.",
            "Permesso di soggiorno, cittadinanza e residenza: su appuntamento.",
        ]
    }
    assert entry.published["description"].startswith("Sostegno a gravidanza")
    assert ServiceAtLocation.objects.get(service__name="CPIA – corsi di italiano").state == "published"
    assert ServiceAtLocation.objects.count() == 2


def test_a_new_row_beside_known_ones_is_created_and_importing_it_again_updates_it(published_crema):
    def one_more(rows):
        return [*rows, {**rows[0], "id": "sportello-bis", "service_id": rows[0]["service_id"] + "-bis"}]

    def its_service(rows):
        return [*rows, {**rows[0], "id": rows[0]["id"] + "-bis", "name": "Sportello bis"}]

    def its_category(rows):
        return [*rows, {**rows[0], "id": rows[0]["id"] + "-bis", "link_id": rows[0]["link_id"] + "-bis"}]

    data = published_crema["data"]
    data = _rewrite(
        _rewrite(_rewrite(data, "service_at_location", one_more), "service", its_service), "attribute", its_category
    )
    staff = actor_for(published_crema["staff"])
    first = datapackage.datapackage_import(actor=staff, data=data)
    assert (len(first.created), len(first.updated), len(first.unchanged)) == (1, 0, 2)
    assert first.created[0].pk == datapackage.entry_id("sportello-bis")
    again = datapackage.datapackage_import(actor=staff, data=data)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 3)
    assert ServiceAtLocation.objects.count() == 3


def test_an_id_of_another_province_or_district_is_refused_and_never_updated(published_crema):
    elsewhere = f.DistrictFactory(name="Crema")  # same name, another province
    before = _snapshot()
    with pytest.raises(DatapackageErrors) as caught:
        datapackage.datapackage_import(
            actor=actor_for(f.province_staff(province=elsewhere.province)), data=published_crema["data"]
        )
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 2 and all(m.startswith("service_at_location.csv, riga") for m in messages), messages
    assert all("un altro ambito o di un'altra provincia" in m for m in messages), messages

    # The same province, another district: its coordinator names her own district on the rows.
    cremona = f.DistrictFactory(name="Cremona", province=published_crema["district"].province)

    def to_cremona(rows):
        return [{**row, "district": "Cremona"} for row in rows]

    with pytest.raises(DatapackageErrors) as caught:
        datapackage.datapackage_import(
            actor=actor_for(f.coordinator(district=cremona)),
            data=_rewrite(published_crema["data"], "service_at_location", to_cremona),
        )
    assert all("un altro ambito o di un'altra provincia" in str(e) for e in caught.value.errors)
    assert _snapshot() == before


def test_an_id_twice_in_the_file_is_a_row_message(published_crema):
    def twice(rows):
        return [*rows, rows[0]]

    with pytest.raises(DatapackageErrors) as caught:
        datapackage.datapackage_import(
            actor=actor_for(published_crema["staff"]),
            data=_rewrite(published_crema["data"], "service_at_location", twice),
        )
    assert [str(e) for e in caught.value.errors] == [
        "service_at_location.csv, riga 4, colonna id: Questo id è già alla riga 2."
    ]
