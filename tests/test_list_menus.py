"""The lists' language menus come from a small cached answer per office, district or province, never from reading
every request or mediator of the list; the services keep them up to date; a code typed in the address still works.
The coordinators' queue is the work in progress: completed and evaluated requests wait under "To close"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scoping import actor_for
from mediators import services as mediator_services
from requests_app import services
from requests_app.models import Status

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    province = f.ProvinceFactory()
    district = f.DistrictFactory(province=province)
    office = f.OfficeFactory(district=district)
    return {
        "province": province,
        "district": district,
        "office": office,
        "worker": f.social_worker(office=office),
        "coordinator": f.coordinator(district=district),
        "staff": f.province_staff(province=province),
        "provider": f.ProviderFactory(province=province),
    }


def menu(response, field: str = "language") -> dict:
    assert response.status_code == 200
    return dict(response.context["filter"].form.fields[field].choices)


def draft(area, code: str):
    return services.request_save_draft(
        actor=actor_for(area["worker"]),
        office=area["office"],
        fields={
            "case_code": f"TM-{code}",
            "service_kind": "cultural_mediation",
            "setting": "child_protection",
            "goal": "Colloquio con la famiglia.",
        },
        languages=[{"code": code, "variant": ""}],
    )


def test_the_menu_is_read_from_the_cache_not_from_the_requests(area, client_for):
    f.MediationRequestFactory(office=area["office"], status=Status.SUBMITTED, languages=["ara", "fra"])
    client = client_for(area["coordinator"])
    url = reverse("requests:list")
    assert {"ara", "fra"} <= set(menu(client.get(url)))
    with CaptureQueriesContext(connection) as queries:
        assert {"ara", "fra"} <= set(menu(client.get(url)))
    languages = [q["sql"] for q in queries.captured_queries if 'FROM "requests_app_requestlanguage"' in q["sql"]]
    # Only the languages of the page's own rows (the prefetch), no DISTINCT over the district's requests.
    assert len(languages) == 1 and "DISTINCT" not in languages[0]


def test_a_draft_shows_its_language_to_its_office_at_once_and_to_the_district_once_submitted(area, client_for):
    worker, coordinator, staff = (client_for(area[who]) for who in ("worker", "coordinator", "staff"))
    url = reverse("requests:list")
    for client in (worker, coordinator, staff):
        assert "tir" not in menu(client.get(url))  # the menus are now in the cache
    request = draft(area, "tir")
    assert menu(worker.get(url))["tir"] == "Tigrino"
    assert "tir" not in menu(coordinator.get(url)) and "tir" not in menu(staff.get(url))  # a draft is the office's
    services.request_submit(actor=actor_for(area["worker"]), request=request)
    assert "tir" in menu(coordinator.get(url)) and "tir" in menu(staff.get(url))


def test_a_language_typed_in_the_address_filters_even_when_no_request_asks_for_it(area, client_for):
    f.MediationRequestFactory(office=area["office"], status=Status.SUBMITTED, languages=["ara"])
    response = client_for(area["coordinator"]).get(reverse("requests:list"), {"language": "tir"})
    assert not response.context["filter"].form.errors
    assert list(response.context["page"]) == []
    assert menu(response)["tir"] == "Tigrino"
    assert '<option value="tir" selected>' in response.content.decode()


def test_an_unknown_language_code_gets_a_clear_message(area, client_for):
    f.MediationRequestFactory(office=area["office"], status=Status.SUBMITTED, languages=["ara"])
    response = client_for(area["coordinator"]).get(reverse("requests:list"), {"language": "xyz"})
    assert "“xyz” non è un codice di lingua che conosciamo" in response.content.decode()
    assert len(response.context["page"]) == 1  # the unfiltered list, as for any invalid filter


def test_the_roster_menu_follows_a_mediator_who_learns_a_language(area, client_for):
    mediator = f.MediatorFactory(provider=area["provider"], districts=[area["district"]], languages=["ara"])
    coordinator, staff = client_for(area["coordinator"]), client_for(area["staff"])
    url = reverse("mediators:list")
    assert "urd" not in menu(coordinator.get(url)) and "urd" not in menu(staff.get(url))
    mediator_services.mediator_update(
        actor=actor_for(area["coordinator"]),
        mediator=mediator,
        provider=area["provider"],
        districts=[area["district"]],
        fields={},
        languages=[{"code": "ara", "variant": ""}, {"code": "urd", "variant": ""}],
        countries=[],
        trainings=[],
        qualifications=[],
    )
    assert menu(coordinator.get(url))["urd"] == "Urdu" and "urd" in menu(staff.get(url))


def test_the_queue_is_the_work_in_progress_and_to_close_shows_the_rest(area, client_for):
    for status in (Status.SUBMITTED, Status.MATCHING, Status.ASSIGNED, Status.SCHEDULED):
        f.MediationRequestFactory(office=area["office"], status=status, case_code=f"Q-{status}")
    for status in (Status.COMPLETED, Status.EVALUATED, Status.CLOSED):
        f.MediationRequestFactory(office=area["office"], status=status, case_code=f"Q-{status}")
    client = client_for(area["coordinator"])
    url = reverse("requests:list")

    def codes(**params):
        return {r.case_code for r in client.get(url, params).context["page"]}

    in_progress = {"Q-submitted", "Q-matching", "Q-assigned", "Q-scheduled"}
    assert codes() == in_progress
    assert codes(status="queue") == in_progress
    # The form sends the queue back with the phase chosen: the phase says what the coordinator wants.
    assert codes(status="queue", phase="close") == {"Q-completed", "Q-evaluated"}
    assert codes(status="open") == in_progress | {"Q-completed", "Q-evaluated"}
    assert codes(status="") == in_progress | {"Q-completed", "Q-evaluated", "Q-closed"}
