"""The demo's rates and timesheets: past months approved and submitted."""

import pytest
from django.core.management import call_command

from accounts.models import Provider
from timesheets import months, selectors
from timesheets.models import Rate, Timesheet

pytestmark = pytest.mark.django_db


def test_the_demo_has_rates_and_past_timesheets(settings):
    # The same rows on a second run: tests/test_demo_data.py runs the whole demo twice.
    settings.DEBUG = True
    call_command("demo_data")
    rows = set(Timesheet.objects.values_list("mediator_id", "district_id", "month", "status", "approved_by_id"))
    assert Rate.objects.filter(provider__in=Provider.objects.all()).values("provider").distinct().count() == 2
    statuses = {status for *_rest, status, _by in rows}
    assert {"approved", "submitted"} <= statuses
    this_month = months.first_of(months.timezone.localdate())
    assert all(month < this_month for _m, _d, month, _s, _b in rows)
    for timesheet in Timesheet.objects.filter(status="approved").select_related("mediator", "district"):
        sheet = selectors.build_sheets(pairs=[(timesheet.mediator, timesheet.district)], month=timesheet.month)[0]
        assert sheet.cost > 0 and not sheet.missing_reports
        assert months.month_locked(timesheet.mediator, timesheet.month, timesheet.district)
