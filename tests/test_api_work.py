"""What happened after a request was filed, read by another system: appointments with their status, session reports
(never their sensitive notes), offers for the district's coordinators; filtered, paged, in a fixed number of
queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from scheduling.models import Appointment

from .api_support import ApiClient, token_for
from .report_factories import make_world, write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [3, 30])
def test_the_appointments_and_reports_lists_run_the_same_queries_for_3_and_30_rows(rows, django_assert_num_queries):
    world = make_world(sessions=rows, expected_sessions=rows)
    for appointment in world.appointments:
        write(world, appointment)
    client = ApiClient(token_for(role=Role.SOCIAL_WORKER, office=world.office)[1])
    client.get(reverse("api:appointments"))
    # The token with its account, then the page.
    with django_assert_num_queries(2):
        appointments = client.get(reverse("api:appointments"), {"page_size": 50}).json()
    with django_assert_num_queries(2):
        reports = client.get(reverse("api:session_reports"), {"page_size": 50}).json()
    assert len(appointments["results"]) == len(reports["results"]) == rows
    assert {r["appointment"] for r in reports["results"]} == {a["id"] for a in appointments["results"]}


def test_a_report_says_what_happened_but_never_its_sensitive_notes():
    world = make_world(sessions=1)
    report = write(world)
    client = ApiClient(token_for(role=Role.COORDINATOR, district=world.district)[1])
    body = client.get(reverse("api:session_report", args=[report.pk])).json()
    assert body["request"] == world.request.pk and body["outcome"] == "held" and body["language"] == "ara"
    assert (body["adults_present"], body["minors_present"]) == (2, 1)
    assert "sensitive" not in " ".join(body) and "udienza" not in str(body)


def test_appointments_are_filtered_by_request_and_status():
    world = make_world(sessions=2, expected_sessions=2)
    Appointment.objects.filter(pk=world.appointments[0].pk).update(status=Appointment.Status.CANCELLED)
    client = ApiClient(token_for(role=Role.SOCIAL_WORKER, office=world.office)[1], language="en")
    cancelled = client.get(reverse("api:appointments"), {"status": "cancelled", "request": world.request.pk}).json()
    assert [a["id"] for a in cancelled["results"]] == [world.appointments[0].pk]
    assert client.get(reverse("api:appointments"), {"request": "x"}).status_code == 400
    assert client.get(reverse("api:appointments"), {"status": "lost"}).status_code == 400


def test_the_office_never_sees_the_offers_and_a_mediator_only_their_own():
    world = make_world(sessions=1)
    office = ApiClient(token_for(role=Role.SOCIAL_WORKER, office=world.office)[1])
    assert office.get(reverse("api:offers")).status_code == 403
