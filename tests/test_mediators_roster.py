"""The roster: who sees which mediators, the filters, sorting, pages, exports and a fixed number of queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.scoping import visible
from mediators.models import Mediator

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    province = f.ProvinceFactory(slug="cremona", name="Provincia di Cremona")
    cremona = f.DistrictFactory(province=province, name="Cremona")
    crema = f.DistrictFactory(province=province, name="Crema")
    provider = f.ProviderFactory(province=province, name="Cooperativa Ponti")
    other_province = f.ProvinceFactory(slug="bergamo")
    return {
        "province": province,
        "cremona": cremona,
        "crema": crema,
        "provider": provider,
        "bergamo_provider": f.ProviderFactory(province=other_province),
        "bergamo": f.DistrictFactory(province=other_province, name="Bergamo"),
    }


def names(response) -> list[str]:
    return [m.last_name for m in response.context["page"]]


def test_coordinator_sees_the_mediators_serving_the_district_even_when_shared(area):
    here = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]])
    shared = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"], area["crema"]])
    elsewhere = f.MediatorFactory(provider=area["provider"], districts=[area["crema"]])
    coordinator = f.coordinator(district=area["cremona"])
    assert set(visible(coordinator, Mediator)) == {here, shared}
    assert elsewhere not in visible(coordinator, Mediator)


def test_province_staff_see_their_province_mediators_only(area):
    ours = f.MediatorFactory(provider=area["provider"], districts=[area["crema"]])
    theirs = f.MediatorFactory(provider=area["bergamo_provider"], districts=[area["bergamo"]])
    staff = f.province_staff(province=area["province"])
    assert set(visible(staff, Mediator)) == {ours}
    assert theirs not in visible(staff, Mediator)


def test_a_mediator_sees_only_the_own_profile_and_others_see_none(area):
    me = f.mediator(provider=area["provider"], districts=[area["cremona"]])
    mine = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], user=me)
    f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]])
    assert list(visible(me, Mediator)) == [mine]
    assert list(visible(f.social_worker(office=f.OfficeFactory(district=area["cremona"])), Mediator)) == []
    assert list(visible(f.funder_viewer(funder=f.FunderFactory(provinces=[area["province"]])), Mediator)) == []


def test_filter_by_language_and_variant_matches_the_same_language(area, client_for):
    darija = f.MediatorFactory(
        provider=area["provider"], districts=[area["cremona"]], last_name="Alaoui", languages=["ara:Darija marocchina"]
    )
    f.MediatorFactory(
        provider=area["provider"],
        districts=[area["cremona"]],
        last_name="Haddad",
        languages=["ara:egiziano", "fra:Darija"],  # Darija on French must not count as Arabic Darija
    )
    client = client_for(f.coordinator(district=area["cremona"]))
    response = client.get(reverse("mediators:list"), {"language": "ara", "variant": "darija"})
    assert names(response) == [darija.last_name]
    assert names(client.get(reverse("mediators:list"), {"language": "ara"})) == ["Alaoui", "Haddad"]


def test_filter_by_district_gender_setting_mode_and_state(area, client_for):
    f.MediatorFactory(
        provider=area["provider"],
        districts=[area["cremona"]],
        first_name="Marco",  # a fixed first name: a random "Rossella" would match the search for "ross" below
        last_name="Bianchi",
        gender="male",
        exp_child_protection=True,
        mode_video=True,
    )
    f.MediatorFactory(
        provider=area["provider"], districts=[area["crema"]], first_name="Anna", last_name="Rossi", gender="female"
    )
    f.MediatorFactory(
        provider=area["provider"],
        districts=[area["crema"]],
        first_name="Lucia",
        last_name="Verdi",
        gender="female",
        is_active=False,
    )
    client = client_for(f.province_staff(province=area["province"]))
    url = reverse("mediators:list")
    assert names(client.get(url, {"district": area["crema"].pk})) == ["Rossi", "Verdi"]
    assert names(client.get(url, {"gender": "male"})) == ["Bianchi"]
    assert names(client.get(url, {"setting": "child_protection"})) == ["Bianchi"]
    assert names(client.get(url, {"mode": "video"})) == ["Bianchi"]
    assert names(client.get(url, {"active": "no"})) == ["Verdi"]
    assert names(client.get(url, {"q": "ross"})) == ["Rossi"]


def test_filter_available_on_a_date(area, client_for):
    monday = timezone.localdate() + timedelta(days=(7 - timezone.localdate().weekday()) % 7 or 7)
    free = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], last_name="Libera")
    f.SlotFactory(mediator=free, weekday=0)
    away = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], last_name="Assente")
    f.SlotFactory(mediator=away, weekday=0)
    f.AbsenceFactory(mediator=away, start_date=monday, end_date=monday)
    f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], last_name="Nessunorario")
    client = client_for(f.coordinator(district=area["cremona"]))
    assert names(client.get(reverse("mediators:list"), {"available_on": monday.isoformat()})) == ["Libera"]


def test_sorting_and_a_stable_page_order(area, client_for):
    for name in ["Zanetti", "Abate", "Moretti"]:
        f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], last_name=name)
    client = client_for(f.coordinator(district=area["cremona"]))
    assert names(client.get(reverse("mediators:list"))) == ["Abate", "Moretti", "Zanetti"]
    assert names(client.get(reverse("mediators:list"), {"ordering": "-name"})) == ["Zanetti", "Moretti", "Abate"]


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "999999"},
        {"available_on": "31-02-2026"},
        {"district": "<script>"},
        {"language": "xyz"},
        {"ordering": "password"},
        {"gender": "robot"},
    ],
)
def test_hostile_filters_get_a_page_not_a_500(area, client_for, query):
    f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]])
    response = client_for(f.coordinator(district=area["cremona"])).get(reverse("mediators:list"), query)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_roster_list_queries_do_not_grow_with_mediators(area, client_for, rows, django_assert_num_queries):
    for _ in range(rows):
        f.MediatorFactory(
            provider=area["provider"],
            districts=[area["cremona"], area["crema"]],
            languages=["ara:Darija", "fra", "eng"],
        )
    client = client_for(f.coordinator(district=area["cremona"]))
    # The first page computes the district's languages for the filter (one more query), then keeps them.
    client.get(reverse("mediators:list"))
    # user (the memberships come from the shared cache); the filter's districts; the page of mediators with their
    # provider, languages and districts, and their count (at most 1,001 rows) in the same query.
    with django_assert_num_queries(3):
        response = client.get(reverse("mediators:list"), {"language": "ara"})
    assert response.context["page"].count == rows
    (first, *_others) = response.context["page"].object_list
    assert [(x.code, x.variant) for x in first.language_list] == [("ara", "Darija"), ("eng", ""), ("fra", "")]
    assert [d.name for d in first.district_list] == sorted([area["cremona"].name, area["crema"].name])


def test_csv_export_has_the_import_columns_and_no_notes(area, client_for):
    f.MediatorFactory(
        provider=area["provider"],
        districts=[area["cremona"]],
        last_name="Esportata",
        email="esportata@example.org",
        coordinator_notes="Nota riservata",
        languages=["ara:Darija"],
    )
    response = client_for(f.coordinator(district=area["cremona"])).get(reverse("mediators:export_csv"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))  # Italian Excel's separator
    assert rows[0]["email"] == "esportata@example.org"
    assert rows[0]["languages"] == "ara:Darija:fluent"
    assert rows[0]["districts"] == "Cremona"
    assert "Nota riservata" not in content


def test_xlsx_export_follows_the_filters(area, client_for):
    f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], last_name="Araba", languages=["ara"])
    f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], last_name="Cinese", languages=["zho"])
    response = client_for(f.coordinator(district=area["cremona"])).get(
        reverse("mediators:export_xlsx"), {"language": "zho"}
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = list(workbook.active.values)
    assert values[0][:3] == ("first_name", "last_name", "email")
    assert [row[1] for row in values[1:]] == ["Cinese"]
