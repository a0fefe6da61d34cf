"""The same name means the same number: the sessions CSV's "Cost (€)" adds up to the PDF's spending, on the scale
data (a synthetic province-year, here small) and on the Cremona demo."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from accounts.models import Province
from reporting import indicators, services
from reporting.indicators import Scope
from reporting.models import Project

pytestmark = pytest.mark.django_db


def _csv_total(scope: Scope) -> Decimal:
    stream = io.StringIO()
    services.report_write(scope=scope, format="csv", stream=stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff")), delimiter=";"))[1:]
    # The Italian CSV writes 1.234,50.
    return sum((Decimal(row[17].replace(".", "").replace(",", ".")) for row in rows if row[17]), Decimal("0"))


def _pdf_spending(project: Project, scope: Scope) -> Decimal:
    return sum(indicators.session_costs_by_district(project, scope).values(), Decimal("0"))


def test_on_the_scale_data_the_csvs_cost_adds_up_to_the_pdfs_spending():
    from reporting.management.commands.reporting_scale import fill

    fill(slug="scala", year=2025, total=400)
    province = Province.objects.get(slug="scala")
    projects = list(Project.objects.filter(lead_province=province))
    assert projects
    for project in projects:
        scope = Scope(province=province, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), project=project)
        spending = _pdf_spending(project, scope)
        assert spending > 0
        assert _csv_total(scope) == spending


def test_on_the_cremona_demo_the_csvs_cost_adds_up_to_the_pdfs_spending(demo_world):
    from mediators import demo as mediators_demo
    from reporting import demo as reporting_demo
    from scheduling import demo as requests_demo
    from sessions_app import demo as demo_reports

    mediators_demo.build()
    requests_demo.build()
    demo_reports.build()
    reporting_demo.build()
    project = Project.objects.get(lead_province__slug="cremona")
    scope = Scope(province=project.lead_province, date_from=project.starts_on, date_to=project.ends_on, project=project)
    spending = _pdf_spending(project, scope)
    assert spending > 0
    assert _csv_total(scope) == spending
