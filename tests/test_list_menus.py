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
from requests_app.models import OfficeLanguage, Status
from requests_app.tasks import office_languages_rebuild_task

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
    # Only the languages of the page's own rows (in the rows' own query), no DISTINCT over the district's requests.
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


def test_the_menu_cache_is_filled_from_the_offices_language_rows_never_from_the_requests(area, client_for):
    f.MediationRequestFactory(office=area["office"], status=Status.SUBMITTED, languages=["ara"])
    client = client_for(area["coordinator"])
    with CaptureQueriesContext(connection) as queries:
        assert "ara" in menu(client.get(reverse("requests:list")))  # an empty cache: the menu is computed
    sqls = [q["sql"] for q in queries.captured_queries]
    assert any('FROM "requests_app_officelanguage"' in sql for sql in sqls)
    assert not any("DISTINCT" in sql and "requests_app_requestlanguage" in sql for sql in sqls)


def test_a_cancelled_draft_shows_its_language_to_the_district_like_any_request_past_the_draft(area, client_for):
    request = draft(area, "amh")
    services.apply_transition(actor=actor_for(area["worker"]), request=request, name="cancel", reason="Doppione.")
    assert "amh" in menu(client_for(area["coordinator"]).get(reverse("requests:list")))


def test_a_copied_request_brings_its_languages_to_the_office_menu(area, client_for):
    original = f.MediationRequestFactory(office=area["office"], status=Status.CLOSED, languages=["ukr"])
    OfficeLanguage.objects.all().delete()
    services.request_copy(actor=actor_for(area["worker"]), request=original)
    assert "ukr" in menu(client_for(area["worker"]).get(reverse("requests:list")))


def test_a_language_no_request_asks_for_any_more_leaves_the_menus_at_the_nightly_rebuild(
    area, client_for, django_capture_on_commit_callbacks
):
    request = draft(area, "tir")
    services.request_save_draft(
        actor=actor_for(area["worker"]),
        office=area["office"],
        request=request,
        fields={"case_code": "TM-tir", "service_kind": "cultural_mediation", "setting": "child_protection",
                "goal": "Colloquio con la famiglia."},
        languages=[{"code": "amh", "variant": ""}],
    )  # fmt: skip
    worker = client_for(area["worker"])
    url = reverse("requests:list")
    assert {"tir", "amh"} <= set(menu(worker.get(url)))  # rows are only added: a language too many finds nothing
    f.MediationRequestFactory(office=area["office"], status=Status.SUBMITTED, languages=["fra"])
    with django_capture_on_commit_callbacks(execute=True):
        written = office_languages_rebuild_task.delay().get()
    assert written == 2  # the draft's Amharic and the submitted request's French
    assert set(OfficeLanguage.objects.values_list("code", "submitted")) == {("amh", False), ("fra", True)}
    assert "tir" not in menu(worker.get(url)) and {"amh", "fra"} <= set(menu(worker.get(url)))


def test_the_rebuild_runs_every_night():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["requests-office-languages-rebuild"]
    assert entry["task"] == "requests_app.tasks.office_languages_rebuild_task"
    assert entry["schedule"].hour == {2}


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
