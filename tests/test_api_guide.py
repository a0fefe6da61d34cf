"""The published guide through the API, as another directory or an app reads it: no token, HSDS JSON of the published
versions only (never a change not yet published, never who edited it), in the language asked for with the Italian
where no approved translation exists, filtered, in cursor pages, in a fixed number of queries, never a 500."""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import uuid
from datetime import UTC, datetime

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.scoping import actor_for
from guide import services
from guide.models import PageView, ServiceAtLocation, Translation, source_hash

from . import factories as f
from .api_support import ApiClient, token_for
from .guide_factories import ADMIN, EntryFactory, category, entry_fields, published_entry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
LIST = reverse("api:guide_services")


def detail(entry) -> str:
    return reverse("api:guide_service", args=[entry.pk])


@pytest.fixture(autouse=True)
def _clock_and_reference_data(db):
    services.reference_data_seed()
    with time_machine.travel(NOW, tick=False):
        yield


def _translate(entry, language, status="approved", **texts):
    for field, text in texts.items():
        Translation.objects.create(
            object_kind="service",
            object_id=str(entry.service_id),
            field=field,
            language=language,
            text=text,
            source_hash=source_hash(entry.published[field]),
            status=status,
        )


@pytest.fixture
def cremona():
    province = f.ProvinceFactory(name="Provincia di Cremona", slug="cremona")
    district = f.DistrictFactory(name="Cremona", province=province)
    entry = published_entry(
        district=district,
        service__name="Consultorio familiare",
        service__description="Sostegno a gravidanza e genitori.",
    )
    return {"province": province, "district": district, "entry": entry}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["service"]["name"] for row in response.json()["results"]]


# --- The schema the answers are checked against -----------------------------------------------------------------------


def _json_schema(node):
    """OpenAPI 3.0 → JSON Schema for jsonschema: ``nullable`` as a null type, and no key beyond the documented ones
    (so a field that is not in the schema cannot slip into an answer)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def openapi():
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def _validate(openapi, body, component):
    schema = {
        "$ref": f"#/components/schemas/{component}",
        "components": _json_schema(copy.deepcopy(openapi))["components"],
    }
    jsonschema.validate(body, schema)


# --- Published versions only ------------------------------------------------------------------------------------------


def test_a_published_entry_reads_as_published_even_after_a_change_not_yet_published(cremona, openapi):
    entry = cremona["entry"]
    coordinator = f.coordinator(district=cremona["district"])
    services.entry_update(
        actor=actor_for(coordinator),
        entry=entry,
        fields=entry_fields(entry, name="Consultorio – nuova sede", description="Testo di lavoro non pubblicato."),
        phones=[{"number": "+39 0372 999 9999"}],
    )
    entry.refresh_from_db()
    assert entry.state == "draft" and entry.is_public

    listed = ApiClient().get(LIST)
    one = ApiClient().get(detail(entry))
    for body in (listed.content.decode(), one.content.decode()):
        assert "nuova sede" not in body and "non pubblicato" not in body and "999 9999" not in body
    record = one.json()
    assert record["service"]["name"] == "Consultorio familiare"
    assert record["service"]["description"] == "Sostegno a gravidanza e genitori."
    assert [p["number"] for p in record["phones"]] == ["+39 0372 555 0101"]
    assert listed.json()["results"] == [record]
    _validate(openapi, listed.json(), "HsdsServiceAtLocationPage")
    _validate(openapi, record, "HsdsServiceAtLocation")


def test_the_record_has_the_hsds_shape_and_what_the_published_version_holds(cremona, openapi):
    entry = cremona["entry"]
    record = ApiClient().get(detail(entry)).json()
    _validate(openapi, record, "HsdsServiceAtLocation")
    assert record["id"] == str(entry.pk)
    assert (record["service_id"], record["location_id"]) == (str(entry.service_id), str(entry.location_id))
    assert record["service"]["organization"] == {
        "id": str(entry.service.organization_id),
        "name": entry.service.organization.name,
    }
    assert record["service"]["status"] == "active" and record["service"]["assured_date"] == "2026-03-01"
    assert record["service"]["languages"] == [{"code": "ara"}, {"code": "ita"}]
    term = record["service"]["attributes"][0]["taxonomy_term"]
    assert (term["code"], term["name"], term["language"]) == (
        "consultorio-familiare",
        category("consultorio-familiare").name,
        "ita",
    )
    address = record["location"]["addresses"][0]
    assert (address["address_1"], address["city"], address["postal_code"]) == (
        entry.location.address_1,
        "Cremona",
        "26100",
    )
    assert record["location"]["latitude"] is None and record["location"]["longitude"] is None
    assert record["schedules"] == [
        {"freq": "WEEKLY", "byday": "MO,WE,FR", "opens_at": "09:00", "closes_at": "12:30", "description": ""}
    ]
    assert record["province"] == {"id": cremona["province"].pk, "slug": "cremona", "name": "Provincia di Cremona"}
    assert record["district"] == {"id": cremona["district"].pk, "name": "Cremona"}
    assert record["published_at"] == "2026-11-05T11:00:00+01:00"


def test_nothing_internal_reaches_the_public_who_edited_notes_history_or_page_views(cremona):
    coordinator = f.coordinator(district=cremona["district"], email="laura.rossi@example.org", last_name="Rossiniana")
    entry = EntryFactory(district=cremona["district"], created_by=coordinator)
    services.entry_publish(actor=ADMIN, entry=entry)
    ServiceAtLocation.objects.filter(pk=entry.pk).update(review_note="Nota interna della provincia")
    PageView.objects.create(province=cremona["province"], language="ita", month=NOW.date().replace(day=1), views=987654)
    body = ApiClient().get(LIST).content.decode() + ApiClient().get(detail(entry)).content.decode()
    for secret in ("laura.rossi@example.org", "Rossiniana", "Nota interna", '"review_note"', '"created_by"',
                   '"last_modified"', '"state"', '"changes"'):  # fmt: skip
        assert secret not in body, secret
    # The page views as a number of their own: six digits no part of an id (8, 4 or 12 hex digits) is, as "4321" once
    # was inside a random UUID.
    assert not re.search(r"\b987654\b", body)


def test_an_entry_never_published_withdrawn_or_unknown_is_404_and_not_in_the_list(cremona):
    draft = EntryFactory(district=cremona["district"])
    withdrawn = published_entry(district=cremona["district"], service__name="Ritirato")
    ServiceAtLocation.objects.filter(pk=withdrawn.pk).update(is_public=False)
    for entry in (draft, withdrawn):
        response = ApiClient().get(detail(entry))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert response["Cache-Control"] == "no-store"
    assert ApiClient().get(reverse("api:guide_service", args=[uuid.uuid4()])).status_code == 404
    assert ApiClient().get(LIST + "not-a-uuid/").status_code == 404
    assert _names(ApiClient().get(LIST)) == ["Consultorio familiare"]


# --- Languages --------------------------------------------------------------------------------------------------------


def test_texts_come_in_the_language_asked_for_else_in_italian_and_say_which(cremona):
    entry = cremona["entry"]
    _translate(entry, "ara", name="الاستشارة العائلية")
    _translate(entry, "ara", status="outdated", description="نص قديم")
    term = category("consultorio-familiare")
    Translation.objects.create(
        object_kind="taxonomy_term", object_id=str(term.pk), field="name", language="ara", text="استشارة",
        source_hash=source_hash(term.name), status="approved",
    )  # fmt: skip
    for response in (
        ApiClient().get(detail(entry), {"lang": "ara"}),
        ApiClient(language="ar-MA,ar;q=0.9").get(detail(entry)),
        ApiClient().get(detail(entry), {"lang": "ar"}),
    ):
        service = response.json()["service"]
        assert service["name"] == "الاستشارة العائلية"
        # The description's translation is outdated: never shown, the Italian instead.
        assert service["description"] == "Sostegno a gravidanza e genitori."
        assert service["text_languages"]["name"] == "ara" and service["text_languages"]["description"] == "ita"
        assert service["attributes"][0]["taxonomy_term"] | {"id": None} == {
            "id": None, "code": term.code, "name": "استشارة", "taxonomy": term.taxonomy, "language": "ara",
        }  # fmt: skip
        assert response["Content-Language"] == "ar"
    page = ApiClient().get(LIST, {"lang": "ara"}).json()
    assert page["language"] == {"code": "ara", "tag": "ar", "direction": "rtl"}
    # A language the guide does not have, or none: Italian, every text marked so.
    for response in (ApiClient().get(detail(entry), {"lang": "deu"}), ApiClient().get(detail(entry))):
        service = response.json()["service"]
        assert service["name"] == "Consultorio familiare" and set(service["text_languages"].values()) == {"ita"}
        assert response["Content-Language"] == "it"


def test_english_asked_for_in_accept_language_reads_the_english_translation(cremona):
    entry = cremona["entry"]
    _translate(entry, "eng", name="Family counselling centre")
    response = ApiClient(language="en-GB").get(LIST)
    assert _names(response) == ["Family counselling centre"] and response.json()["language"]["code"] == "eng"


# --- Filters ----------------------------------------------------------------------------------------------------------


def test_the_list_filters_by_province_district_category_language_spoken_and_words(cremona):
    district = cremona["district"]
    crema = f.DistrictFactory(name="Crema", province=cremona["province"])
    whole = published_entry(district=district, service__name="Numero unico di emergenza")
    ServiceAtLocation.objects.filter(pk=whole.pk).update(district=None, published_district=None)
    published_entry(
        district=crema, service__name="Pediatra", service__description="Il medico dei bambini.",
        service__category=category("salute"),
    )  # fmt: skip
    elsewhere = published_entry(service__name="Sportello di Bergamo")
    elsewhere.province.slug = "bergamo"
    elsewhere.province.save()
    only_french = published_entry(district=crema, service__name="Corso di italiano")
    ServiceAtLocation.objects.filter(pk=only_french.pk).update(
        published={**only_french.published, "languages": ["fra"]}
    )
    _translate(cremona["entry"], "ara", name="الاستشارة العائلية")

    def names(**query):
        return sorted(_names(ApiClient().get(LIST, query)))

    assert len(names()) == 5
    cremona_names = ["Consultorio familiare", "Corso di italiano", "Numero unico di emergenza", "Pediatra"]
    assert names(province="cremona") == cremona_names
    assert names(province=str(cremona["province"].pk)) == cremona_names
    assert names(province="bergamo") == ["Sportello di Bergamo"]
    # A district's own entries and its province's whole-province ones, as on the public pages.
    assert names(district=str(district.pk)) == ["Consultorio familiare", "Numero unico di emergenza"]
    assert names(category="salute") == ["Pediatra"]
    assert names(language="fra") == ["Corso di italiano"]
    assert "Corso di italiano" not in names(language="ara")
    assert names(q="medico") == ["Pediatra"]
    assert names(q="العائلية", lang="ara") == ["الاستشارة العائلية"]
    for field, value in [("province", "atlantide"), ("district", "999999"), ("district", "Crema"),
                         ("category", "astrologia"), ("language", "arabic")]:  # fmt: skip
        response = ApiClient().get(LIST, {field: value})
        assert response.status_code == 400 and field in response.json()["fields"], (field, value)
    other_province = f.DistrictFactory()
    wrong = ApiClient().get(LIST, {"province": "cremona", "district": str(other_province.pk)})
    assert wrong.status_code == 400


# --- Pages and queries ------------------------------------------------------------------------------------------------


def test_pages_stay_right_while_entries_are_published_meanwhile(cremona):
    district = cremona["district"]
    first = [cremona["entry"], *(published_entry(district=district) for _ in range(4))]
    client = ApiClient()
    page = client.get(LIST, {"page_size": 2}).json()
    seen = [row["id"] for row in page["results"]]
    # Two entries are published while the directory reads on: what was there is read once, none skipped.
    published_entry(district=district)
    published_entry(district=district)
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == len(set(seen))
    assert {str(e.pk) for e in first} <= set(seen)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_the_same_queries_for_3_and_30_entries(rows, django_assert_num_queries):
    district = f.DistrictFactory(province=f.ProvinceFactory(slug="bergamo"))
    for n in range(rows):
        entry = published_entry(district=district, service__category=category("salute"))
        _translate(entry, "ara", name=f"خدمة {n}")
    # The guide's languages, the category asked for, the page of entries (with their province, category and
    # district), the organisations' ids, the entries' Arabic and the category's Arabic.
    with django_assert_num_queries(6):
        response = ApiClient().get(LIST, {"lang": "ara", "category": "salute", "page_size": 50})
    assert len(response.json()["results"]) == rows
    # In Italian without a filter: the guide's languages, the page, the organisations' ids.
    with django_assert_num_queries(3):
        response = ApiClient().get(LIST, {"page_size": 50})
    assert len(response.json()["results"]) == rows


# --- Open to anyone, counted per address, cached --------------------------------------------------------------------


def test_anyone_reads_it_without_a_token_and_any_authorization_header_is_ignored(cremona):
    key = token_for(role=Role.SOCIAL_WORKER, office=f.OfficeFactory())[1]
    for client in (ApiClient(), ApiClient(key), ApiClient("mdz_wrong_key"), ApiClient("not even a key")):
        response = client.get(LIST)
        assert _names(response) == ["Consultorio familiare"]
        assert response["Cache-Control"] == "public, max-age=300"
        assert "Accept-Language" in response["Vary"]
        assert not response.cookies
    assert ApiClient().get(LIST, HTTP_AUTHORIZATION="Bearer").status_code == 200


def test_beyond_its_rate_an_address_is_told_when_to_come_back_and_another_address_is_not(cremona, settings):
    settings.API_PUBLIC_RATE = "3/min"
    client = ApiClient()
    assert [client.get(LIST, REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(LIST, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert refused["Cache-Control"] == "no-store" and 1 <= int(refused["Retry-After"]) <= 60
    # A token does not lift the public count; another address has its own.
    key = token_for(role=Role.PROVINCE_STAFF, province=cremona["province"])[1]
    assert ApiClient(key).get(LIST, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get(LIST, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_a_public_rate_that_is_not_a_rate_is_reported_by_the_check(tmp_path):
    from .test_settings import run_check

    result = run_check(tmp_path, DEBUG="1", API_PUBLIC_RATE="tante")
    assert "API_PUBLIC_RATE='tante' is not a rate like 60/min" in result.stderr


def test_the_schema_says_the_guide_needs_no_authentication(openapi):
    for path in ("/api/v1/guide/services/", "/api/v1/guide/services/{id}/"):
        operation = openapi["paths"][path]["get"]
        assert operation.get("security", [{}]) == [{}], operation.get("security")


# --- Hostile input ----------------------------------------------------------------------------------------------------


PARAMS = ["province", "district", "category", "language", "q", "lang", "cursor", "page_size", "page"]
HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["\x00", "' OR 1=1 --", "9" * 400, "-1", "0", "²", "cremona\x00", "ara", "%", "_", "zh-Hans"]),
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(PARAMS), HOSTILE, max_size=5), accept=st.text(max_size=40))
def test_hostile_query_parameters_never_make_a_500(cremona, settings, query, accept):
    settings.API_PUBLIC_RATE = "100000/min"
    for url in (LIST, detail(cremona["entry"])):
        response = ApiClient().get(url, query, HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code in (200, 400, 404), response.content
        assert response["Content-Type"].startswith("application/json")


def test_a_cursor_written_by_hand_is_404_not_a_500_here_and_on_the_other_lists(cremona):
    office_client = ApiClient(token_for(role=Role.SOCIAL_WORKER, office=f.OfficeFactory())[1])
    for position in ("not-an-id", "1", "x" * 50):
        cursor = base64.b64encode(f"p={position}".encode()).decode()
        response = ApiClient().get(LIST, {"cursor": cursor})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert office_client.get(reverse("api:requests"), {"cursor": cursor}).status_code < 500
    # A position that is an id of the other kind: the requests' ids are numbers.
    cursor = base64.b64encode(b"p=not-a-number").decode()
    assert office_client.get(reverse("api:requests"), {"cursor": cursor}).status_code == 404
