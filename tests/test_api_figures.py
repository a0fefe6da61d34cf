"""The roster and a province's figures for other systems: the coordinators' roster without contacts or rates, and
the indicators of the reporting dashboard, with the funder's rule for the funder's token."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role

from . import factories as f
from .api_support import ApiClient, token_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [3, 30])
def test_the_roster_runs_the_same_queries_for_3_and_30_mediators(rows, django_assert_num_queries):
    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    for _ in range(rows):
        f.MediatorFactory(provider=provider, districts=[district], languages=["ara:Darija", "fra"])
    client = ApiClient(token_for(role=Role.COORDINATOR, district=district)[1])
    client.get(reverse("api:mediators"))
    # The token with its account, the page of mediators, their districts, their languages.
    with django_assert_num_queries(4):
        body = client.get(reverse("api:mediators"), {"page_size": 50}).json()
    assert len(body["results"]) == rows
    first = body["results"][0]
    assert first["districts"] == [district.pk] and {"code": "ara", "variant": "Darija"} in first["languages"]
    assert not {"email", "phone", "hourly_rate", "travel_rate"} & set(first)


def test_the_roster_filters_by_language_and_refuses_what_is_not_a_code():
    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    arabic = f.MediatorFactory(provider=provider, districts=[district], languages=["ara"])
    f.MediatorFactory(provider=provider, districts=[district], languages=["ukr"])
    client = ApiClient(token_for(role=Role.COORDINATOR, district=district)[1], language="en")
    assert [m["id"] for m in client.get(reverse("api:mediators"), {"language": "ara"}).json()["results"]] == [arabic.pk]
    assert client.get(reverse("api:mediators"), {"language": "<script>"}).status_code == 400


def test_the_funder_reads_the_indicators_of_its_project_under_its_rule_and_the_province_without():
    from reporting.models import Project

    province = f.ProvinceFactory()
    funder = f.FunderFactory(provinces=[province])
    project = Project.objects.create(
        title="Mediazione 2026",
        call="Bando 2026",
        funder=funder,
        lead_province=province,
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    funder_body = ApiClient(token_for(role=Role.FUNDER_VIEWER, funder=funder)[1], language="en").get(
        reverse("api:indicators"), {"year": "2026"}
    )
    assert funder_body.status_code == 200, funder_body.content
    body = funder_body.json()
    assert (body["province"], body["project"], body["suppressed"]) == (province.pk, project.pk, True)
    assert (body["date_from"], body["date_to"]) == ("2026-01-01", "2026-12-31")
    assert body["key_figures"][0] == {"label": "Requests submitted", "value": 0}
    staff = (
        ApiClient(token_for(role=Role.PROVINCE_STAFF, province=province)[1])
        .get(reverse("api:indicators"), {"year": "2026"})
        .json()
    )
    assert staff["suppressed"] is False and staff["key_figures"][0]["label"] == "Richieste inviate"
    assert (
        ApiClient(token_for(role=Role.PROVINCE_STAFF, province=province)[1])
        .get(reverse("api:indicators"), {"year": "duemila"})
        .status_code
        == 400
    )
