"""The timesheet pages run the same number of queries for 3 rows as for 30 (pinned), and read well."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scoping import actor_for
from timesheets import services

from . import factories as f
from . import report_factories as rf
from . import timesheet_factories as tf
from .conftest import login_client

pytestmark = pytest.mark.django_db

# Each request of a logged-in user: session, user, the user's memberships (role), the unread notifications count,
# the memberships again for the role menu, and the session's save (savepoint, update, release).
BASE_QUERIES = 8


def _count(client, url) -> int:
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _district_with(n: int):
    """A district where ``n`` mediators each held two sessions last month (one timesheet submitted)."""
    world = tf.month_world(held=2)
    for _ in range(n - 1):
        user = f.mediator(provider=world.mediator.provider, districts=[world.district])
        mediator = f.MediatorFactory(provider=world.mediator.provider, districts=[world.district], user=user)
        request = f.MediationRequestFactory(office=world.office, status="scheduled", assigned_mediator=mediator)
        for day in (3, 4):
            appointment = tf.appointment_on(request, tf.last_month() + timedelta(days=day))
            rf.write(rf.World(world.office, world.district, world.province, world.social_worker, world.coordinator,
                              user, mediator, request), appointment)  # fmt: skip
    services.timesheet_submit(
        actor=actor_for(world.mediator_user), mediator=world.mediator, district=world.district, month=tf.last_month()
    )
    return world


MONTH = "?mese={:%Y-%m}"
# The district's month: the districts managed, the mediators (serving or working there), their districts, the
# pairs with appointments, the lines (costed in one query), the timesheets.
DISTRICT_QUERIES = BASE_QUERIES + 6
# Totals by provider: the districts managed, the approved timesheets, the lines, the providers.
PROVIDER_QUERIES = BASE_QUERIES + 4
# One sheet: its mediator, its district, whether the mediator works for the district (scope), the lines, the
# timesheet.
SHEET_QUERIES = BASE_QUERIES + 5
# My timesheets: the mediator's districts (scope), the profile, its districts, the districts worked in, the pairs,
# those districts, the lines, the timesheets, the past months.
MINE_QUERIES = BASE_QUERIES + 9


@pytest.mark.parametrize("n", [3, 30])
def test_the_districts_month_runs_a_fixed_number_of_queries(n):
    world = _district_with(n)
    url = reverse("timesheets:district") + MONTH.format(tf.last_month())
    client = login_client(world.coordinator)
    assert _count(client, url) == DISTRICT_QUERIES
    assert len(client.get(url).context["sheets"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_totals_by_provider_run_a_fixed_number_of_queries(n):
    world = _district_with(n)
    url = reverse("timesheets:providers") + MONTH.format(tf.last_month())
    client = login_client(f.province_staff(province=world.province))
    assert _count(client, url) == PROVIDER_QUERIES
    assert client.get(url).context["totals"][0].sessions == 2 * n


@pytest.mark.parametrize("n", [3, 30])
def test_one_sheet_and_my_timesheets_run_a_fixed_number_of_queries(n):
    world = tf.month_world(held=n)
    sheet = reverse("timesheets:sheet", args=[world.mediator.pk, world.district.pk, tf.last_month()])
    assert _count(login_client(world.coordinator), sheet) == SHEET_QUERIES
    mine = reverse("timesheets:mine") + MONTH.format(tf.last_month())
    client = login_client(world.mediator_user)
    assert _count(client, mine) == MINE_QUERIES
    assert len(client.get(mine).context["sheets"][0].lines) == n


def test_the_mediator_sees_the_lines_and_the_submit_button_of_a_month_over():
    world = tf.month_world(held=1)
    page = login_client(world.mediator_user).get(reverse("timesheets:mine") + MONTH.format(tf.last_month()))
    html = page.content.decode()
    assert world.request.case_code in html and "38.83" in html.replace(",", ".")
    assert 'action="/fogli-ore/' in html and "/submit/" in html
    assert "udienza" not in html  # the report's sensitive notes never reach the timesheet
