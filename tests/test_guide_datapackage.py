"""The directory as an HSDS datapackage: exported, re-imported into an empty province with the same entries; a
wrong row is a message naming its table, row and column, and nothing is saved."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.scoping import actor_for
from guide import datapackage, selectors, services
from guide.datapackage import DatapackageErrors
from guide.models import ServiceAtLocation

from . import factories as f
from .guide_factories import EntryFactory, category

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


def test_exported_and_re_imported_into_an_empty_province_the_entries_are_the_same(exported):
    empty = f.DistrictFactory(name="Crema")  # a district of the same name, in a province with no guide yet
    staff = f.province_staff(province=empty.province)
    created = datapackage.datapackage_import(actor=actor_for(staff), data=exported["data"])
    assert len(created) == 3
    imported = sorted(created, key=lambda e: e.service.name)
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
