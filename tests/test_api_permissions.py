"""The API's permission matrix: every endpoint × every kind of token (an office's, a district's, the province's,
the funder's, a mediator's), tokens of another district and of another province, and no token at all.

The same rules as the web pages: 401 without a usable token, 403 for a role that can never use the endpoint, 404 for
an object outside the token's scope (its existence is not leaked), and the resource itself for the rest.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import actor_for
from api.models import ApiToken, Webhook
from reporting import services as reporting_services
from reporting.models import ReportJob
from scheduling.models import Offer
from sessions_app import services as report_services

from . import factories as f
from .api_support import ApiClient, token_for
from .conftest import shared_world
from .guide_factories import EntryFactory, published_entry
from .report_factories import past_appointment, report_fields

CALLERS = [
    "no token",
    "office",
    "office of another district",
    "office of another province",
    "district",
    "another district",
    "another province's district",
    "province",
    "another province",
    "funder",
    "mediator",
    "mediator of another province",
]


def expect(default, **by_caller):
    table = dict.fromkeys(CALLERS, default)
    table["no token"] = 401
    for caller, status in by_caller.items():
        table[caller.replace("_", " ")] = status
    return table


def _build():
    cremona = f.ProvinceFactory(name="Cremona")
    bergamo = f.ProvinceFactory(name="Bergamo")
    here = f.DistrictFactory(province=cremona, name="Cremona")
    there = f.DistrictFactory(province=cremona, name="Crema")
    far = f.DistrictFactory(province=bergamo, name="Bergamo")
    office = f.OfficeFactory(district=here)
    other_office = f.OfficeFactory(district=there)
    far_office = f.OfficeFactory(district=far)
    funder = f.FunderFactory()
    funder.provinces.set([cremona])
    provider = f.ProviderFactory(province=cremona)
    mediator_user = f.mediator(provider=provider, districts=[here])
    mediator = f.MediatorFactory(provider=provider, districts=[here], user=mediator_user)
    far_mediator_user = f.mediator(provider=f.ProviderFactory(province=bergamo), districts=[far])
    keys = {
        "office": token_for(role=Role.SOCIAL_WORKER, office=office)[1],
        "office of another district": token_for(role=Role.SOCIAL_WORKER, office=other_office)[1],
        "office of another province": token_for(role=Role.SOCIAL_WORKER, office=far_office)[1],
        "district": token_for(role=Role.COORDINATOR, district=here)[1],
        "another district": token_for(role=Role.COORDINATOR, district=there)[1],
        "another province's district": token_for(role=Role.COORDINATOR, district=far)[1],
        "province": token_for(role=Role.PROVINCE_STAFF, province=cremona)[1],
        "another province": token_for(role=Role.PROVINCE_STAFF, province=bergamo)[1],
        "funder": token_for(role=Role.FUNDER_VIEWER, funder=funder)[1],
        "mediator": token_for(role=Role.MEDIATOR, mediator=mediator_user.memberships.get())[1],
        "mediator of another province": token_for(role=Role.MEDIATOR, mediator=far_mediator_user.memberships.get())[1],
    }
    office_user = ApiToken.objects.get(prefix=keys["office"].split("_")[1]).user
    office_hook = Webhook.objects.create(
        token=ApiToken.objects.get(prefix=keys["office"].split("_")[1]),
        user=office_user,
        province=cremona,
        url="https://cartella.example.it/hooks",
        events=["request.status_changed"],
        secret="s" * 64,
    )
    submitted = f.MediationRequestFactory(office=office, status="submitted")
    assigned = f.MediationRequestFactory(
        office=office, status="scheduled", assigned_mediator=mediator, place="Via Dante 1"
    )
    draft = f.MediationRequestFactory(office=office, status="draft")
    appointment = past_appointment(assigned, days_ago=2)
    report = report_services.report_save(
        actor=actor_for(mediator_user), appointment=appointment, fields=report_fields(appointment), submit=True
    )
    unreported = past_appointment(assigned, days_ago=3)
    earlier = past_appointment(assigned, days_ago=4)
    draft_report = report_services.report_save(
        actor=actor_for(mediator_user), appointment=earlier, fields=report_fields(earlier), submit=False
    )
    offer = Offer.objects.create(
        request=assigned,
        mediator=mediator,
        status=Offer.Status.ACCEPTED,
        release_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=1),
        created_by=mediator_user,
    )
    province_account = ApiToken.objects.get(prefix=keys["province"].split("_")[1]).user
    # Asked for by the province's token; never run here (the world's transaction never commits).
    report_job = reporting_services.report_job_create(
        actor=actor_for(province_account),
        province=cremona,
        date_from=timezone.localdate().replace(month=1, day=1),
        date_to=timezone.localdate(),
        format="csv",
    )
    # The published guide is public: every caller reads a published entry; a draft does not exist for anyone here.
    guide_entry = published_entry(district=here)
    guide_draft = EntryFactory(district=here)
    return {
        "keys": keys,
        "report_job": report_job,
        "guide_entry": guide_entry,
        "guide_draft": guide_draft,
        "submitted": submitted,
        "assigned": assigned,
        "draft": draft,
        "office_hook": office_hook,
        "appointment": appointment,
        "report": report,
        "unreported": unreported,
        "draft_report": draft_report,
        "offer": offer,
    }


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker):
        yield _build()


@pytest.fixture
def world(_world, db):
    return _world


def _new_request():
    return {
        "case_code": "API-001",
        "service_kind": "cultural_mediation",
        "setting": "school",
        "goal": "Spiegare ai genitori il piano educativo.",
        "languages": [{"code": "ara", "variant": "Darija"}],
    }


def _ready(job) -> str:
    """The address of the province's report once done, its file in this test's storage (each test has its own
    MEDIA_ROOT, and its changes are rolled back)."""
    name = job.file.storage.save(f"reports/matrix/{job.pk}.csv", ContentFile(b"\xef\xbb\xbfIncontro;Data\r\n"))
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, progress=100, file=name, finished_at=timezone.now()
    )
    return reverse("api:report_job_download", args=[job.pk])


# The province's report: its staff see it; a coordinator or the funder only the reports they asked for (404).
REPORT_OF_THE_PROVINCE = dict(
    office=403,
    mediator=403,
    **{"office of another district": 403, "office of another province": 403, "mediator of another province": 403},
)

# (name, method, address, body, expected by caller)
MATRIX = [
    (
        "the roster",
        "get",
        lambda w: reverse("api:mediators"),
        None,
        expect(
            403,
            district=200,
            province=200,
            **{"another district": 200, "another province's district": 200, "another province": 200},
        ),
    ),
    (
        "indicators",
        "get",
        lambda w: reverse("api:indicators"),
        None,
        # The funder reads the projects it funds: with none, nothing (404).
        expect(
            403,
            district=200,
            province=200,
            funder=404,
            **{"another district": 200, "another province's district": 200, "another province": 200},
        ),
    ),
    ("appointments", "get", lambda w: reverse("api:appointments"), None, expect(200, funder=403)),
    (
        "an appointment of the office's request",
        "get",
        lambda w: reverse("api:appointment", args=[w["appointment"].pk]),
        None,
        expect(404, office=200, district=200, province=200, mediator=200, funder=403),
    ),
    ("session reports", "get", lambda w: reverse("api:session_reports"), None, expect(200, funder=403)),
    (
        "the report of that appointment",
        "get",
        lambda w: reverse("api:session_report", args=[w["report"].pk]),
        None,
        expect(404, office=200, district=200, province=200, mediator=200, funder=403),
    ),
    # Reports are written by the appointment's mediator (an administrator may too): the roles that read them get 403
    # on writing, another mediator 404 (not theirs to see); a submitted report is 409.
    (
        "write the report of a past appointment",
        "post",
        lambda w: reverse("api:session_reports"),
        {"appointment": "unreported"},
        expect(403, mediator=201, **{"mediator of another province": 404}),
    ),
    (
        "correct the draft report",
        "patch",
        lambda w: reverse("api:session_report", args=[w["draft_report"].pk]),
        {"travel_minutes": 5},
        expect(403, mediator=200, **{"mediator of another province": 404}),
    ),
    (
        "correct the submitted report",
        "patch",
        lambda w: reverse("api:session_report", args=[w["report"].pk]),
        {"travel_minutes": 5},
        expect(403, mediator=409, **{"mediator of another province": 404}),
    ),
    (
        "submit the draft report",
        "post",
        lambda w: reverse("api:session_report_submit", args=[w["draft_report"].pk]),
        None,
        expect(403, mediator=200, **{"mediator of another province": 404}),
    ),
    (
        "submit the submitted report again",
        "post",
        lambda w: reverse("api:session_report_submit", args=[w["report"].pk]),
        None,
        expect(403, mediator=409, **{"mediator of another province": 404}),
    ),
    (
        "offers",
        "get",
        lambda w: reverse("api:offers"),
        None,
        expect(
            403,
            district=200,
            province=200,
            mediator=200,
            **{
                "another district": 200,
                "another province's district": 200,
                "another province": 200,
                "mediator of another province": 200,
            },
        ),
    ),
    ("webhooks", "get", lambda w: reverse("api:webhooks"), None, expect(200, funder=403)),
    (
        "register a webhook",
        "post",
        lambda w: reverse("api:webhooks"),
        {"url": "https://cartella.example.it/hooks"},
        expect(201, funder=403),
    ),
    (
        "the office's webhook",
        "get",
        lambda w: reverse("api:webhook", args=[w["office_hook"].pk]),
        None,
        expect(404, office=200, funder=403),
    ),
    (
        "the deliveries of the office's webhook",
        "get",
        lambda w: reverse("api:webhook_deliveries", args=[w["office_hook"].pk]),
        None,
        expect(404, office=200, funder=403),
    ),
    (
        "remove the office's webhook",
        "delete",
        lambda w: reverse("api:webhook", args=[w["office_hook"].pk]),
        None,
        expect(404, office=204, funder=403),
    ),
    (
        "report jobs",
        "get",
        lambda w: reverse("api:report_jobs"),
        None,
        expect(
            403,
            district=200,
            province=200,
            funder=200,
            **{"another district": 200, "another province's district": 200, "another province": 200},
        ),
    ),
    (
        "ask for a report",
        "post",
        lambda w: reverse("api:report_jobs"),
        {"format": "csv"},
        # The funder asks for the reports of the projects it funds: with none, nothing (404, as its dashboard).
        expect(
            403,
            district=202,
            province=202,
            funder=404,
            **{"another district": 202, "another province's district": 202, "another province": 202},
        ),
    ),
    (
        "the province's report",
        "get",
        lambda w: reverse("api:report_job", args=[w["report_job"].pk]),
        None,
        expect(404, province=200, **REPORT_OF_THE_PROVINCE),
    ),
    (
        "the file of the province's report, not ready yet",
        "get",
        lambda w: reverse("api:report_job_download", args=[w["report_job"].pk]),
        None,
        expect(404, province=409, **REPORT_OF_THE_PROVINCE),
    ),
    (
        "the file of the province's report, ready",
        "get",
        lambda w: _ready(w["report_job"]),
        None,
        expect(404, province=200, **REPORT_OF_THE_PROVINCE),
    ),
    (
        "prepare the province's report again, while it is being prepared",
        "post",
        lambda w: reverse("api:report_job_repeat", args=[w["report_job"].pk]),
        None,
        expect(404, province=409, **REPORT_OF_THE_PROVINCE),
    ),
    ("the published guide", "get", lambda w: reverse("api:guide_services"), None, {**expect(200), "no token": 200}),
    (
        "a published entry of the guide",
        "get",
        lambda w: reverse("api:guide_service", args=[w["guide_entry"].pk]),
        None,
        {**expect(200), "no token": 200},
    ),
    (
        "an entry of the guide never published",
        "get",
        lambda w: reverse("api:guide_service", args=[w["guide_draft"].pk]),
        None,
        {**expect(404), "no token": 404},
    ),
    ("the schema", "get", lambda w: reverse("api:schema"), None, {**expect(200), "no token": 200}),
    ("the documentation", "get", lambda w: reverse("api:docs"), None, {**expect(200), "no token": 200}),
    ("requests", "get", lambda w: reverse("api:requests"), None, expect(200, funder=403)),
    (
        "file a request",
        "post",
        lambda w: reverse("api:requests"),
        _new_request(),
        expect(403, office=201, **{"office of another district": 201, "office of another province": 201}),
    ),
    (
        "a submitted request of the office",
        "get",
        lambda w: reverse("api:request", args=[w["submitted"].pk]),
        None,
        expect(404, office=200, district=200, province=200, funder=403),
    ),
    (
        "a request assigned to the mediator",
        "get",
        lambda w: reverse("api:request", args=[w["assigned"].pk]),
        None,
        expect(404, office=200, district=200, province=200, mediator=200, funder=403),
    ),
    (
        "the office's draft",
        "get",
        lambda w: reverse("api:request", args=[w["draft"].pk]),
        None,
        expect(404, office=200, funder=403),
    ),
    (
        "submit the draft",
        "post",
        lambda w: reverse("api:request_submit", args=[w["draft"].pk]),
        None,
        expect(403, office=200, **{"office of another district": 404, "office of another province": 404}),
    ),
    (
        "cancel the submitted request",
        "post",
        lambda w: reverse("api:request_cancel", args=[w["submitted"].pk]),
        {"reason": "La famiglia si è trasferita."},
        expect(
            403,
            office=200,
            district=200,
            **{
                "office of another district": 404,
                "office of another province": 404,
                "another district": 404,
                "another province's district": 404,
            },
        ),
    ),
]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("name", "method", "address", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_the_api_answers_each_caller_as_the_pages_would(world, caller, name, method, address, body, expected):
    client = ApiClient(None if caller == "no token" else world["keys"][caller])
    url = address(world)
    # A body may name an object of the world by its key ({"appointment": "unreported"}).
    body = body and {
        name: world[value].pk if isinstance(value, str) and value in world else value for name, value in body.items()
    }
    if method == "get":
        response = client.get(url)
    elif method == "delete":
        response = client.client.delete(url, **client.headers)
    else:
        response = getattr(client, method)(url, body)
    assert response.status_code == expected[caller], (
        f"{name} as {caller}: {response.status_code} {response.content[:200]}"
    )
    if url.startswith("/api/v1/") and response.status_code != 204 and not response.streaming:
        assert response["Content-Type"].startswith("application/json")


def test_every_endpoint_of_the_api_is_in_the_matrix():
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {
        f"api:{pattern.name}"
        for item in resolver.url_patterns
        if getattr(item, "namespace", None) == "api"
        for pattern in item.url_patterns
    }
    assert names == {
        "api:schema",
        "api:docs",
        "api:requests",
        "api:request",
        "api:request_submit",
        "api:request_cancel",
        "api:appointments",
        "api:appointment",
        "api:session_reports",
        "api:session_report",
        "api:session_report_submit",
        "api:offers",
        "api:mediators",
        "api:indicators",
        "api:webhooks",
        "api:webhook",
        "api:webhook_deliveries",
        "api:report_jobs",
        "api:report_job",
        "api:report_job_download",
        "api:report_job_repeat",
        "api:guide_services",
        "api:guide_service",
    }, "a new endpoint needs its rows in MATRIX above"


def test_an_expired_or_revoked_token_opens_nothing(world):
    from api.models import ApiToken
    from api.services import token_revoke

    token, key = token_for(role=Role.SOCIAL_WORKER, office=world["submitted"].office)
    assert ApiClient(key).get(reverse("api:requests")).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = ApiClient(key).get(reverse("api:requests"))
    assert expired.status_code == 401
    assert expired.json()["code"] == "authentication_failed"
    assert expired["WWW-Authenticate"] == 'Bearer realm="api"'

    token, key = token_for(role=Role.SOCIAL_WORKER, office=world["submitted"].office)
    token_revoke(actor=actor_for(f.administrator()), token=token)
    assert ApiClient(key).get(reverse("api:requests")).status_code == 401
