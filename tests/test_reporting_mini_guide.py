"""The "mini-guide" action in the report to the funder: services published per district, services translated and
up to date per language, texts approved in the period, page views per month and language; the funder's version
hides the small counts of what people did (readers, translators), with true totals.

The data set: province "Guidania" (districts Alfa and Beta), report for January–March 2026.

- published in February: Alfa 3 services, Beta 1, the whole province 1 (5); one more published in April and a
  draft never count;
- approved translations of name and description, from the published Italian: Arabic for 2 services (plus only the
  name of a third), English for 1, Chinese for 1 (plus one whose description's Italian changed since: outdated);
- approved in the period: Arabic 5 texts, English 2, Chinese 4 (one approved in December does not count);
- page views: Italian 40, 35, 50 and Arabic 2, 7, 0 in January, February, March (December, April and another
  province's do not count).
"""

import datetime as dt
import io
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from guide import services as guide_services
from guide.models import GuideEdition, PageView, Translation, source_hash
from mediators.models import language_name
from reporting import indicators, presenters, services
from reporting.indicators import SUPPRESSED, Scope
from reporting.models import Action, BudgetLine, Project, ProjectPartner

from . import factories as f
from .conftest import login_client
from .guide_factories import EntryFactory, published_entry

pytestmark = pytest.mark.django_db

FEBRUARY = dt.datetime(2026, 2, 10, 10, tzinfo=dt.UTC)
IN_PERIOD = timezone.make_aware(dt.datetime(2026, 3, 5, 12))
BEFORE = timezone.make_aware(dt.datetime(2025, 12, 20, 12))


def _approve(entry, language, fields=("name", "description"), *, at=IN_PERIOD, stale=()):
    for field in fields:
        source = entry.published[field] + (" (prima)" if field in stale else "")
        Translation.objects.create(
            object_kind="service",
            object_id=str(entry.service_id),
            field=field,
            language=language,
            text=f"{language}:{field}",
            source_hash=source_hash(source),
            status="approved",
            approved_at=at,
        )


@pytest.fixture
def guide():
    guide_services.reference_data_seed()
    province = f.ProvinceFactory(name="Provincia di Guidania", slug="guidania")
    alfa = f.DistrictFactory(name="Alfa", province=province)
    beta = f.DistrictFactory(name="Beta", province=province)
    with time_machine.travel(FEBRUARY):
        a1, a2, a3 = (published_entry(district=alfa) for _ in range(3))
        b1 = published_entry(district=beta)
        published_entry(district=None, province=province, service__name="Numero unico di emergenza 112")
    EntryFactory(district=alfa)  # a draft
    with time_machine.travel(dt.datetime(2026, 4, 2, 10, tzinfo=dt.UTC)):
        published_entry(district=beta)  # after the period
    _approve(a1, "ara")
    _approve(a2, "ara")
    _approve(a3, "ara", ["name"])
    _approve(a1, "eng")
    _approve(b1, "zho")
    _approve(a2, "zho", ["name"])
    _approve(a3, "zho", ["description"], stale=["description"])
    _approve(a3, "eng", ["name"], at=BEFORE)
    for month, language, views in [
        (1, "ita", 40), (2, "ita", 35), (3, "ita", 50), (1, "ara", 2), (2, "ara", 7),
    ]:  # fmt: skip
        PageView.objects.create(province=province, language=language, month=dt.date(2026, month, 1), views=views)
    PageView.objects.create(province=province, language="ita", month=dt.date(2025, 12, 1), views=12)
    PageView.objects.create(province=province, language="ita", month=dt.date(2026, 4, 1), views=99)
    PageView.objects.create(province=f.ProvinceFactory(), language="ita", month=dt.date(2026, 1, 1), views=1000)
    for district, language, status, day, entries in [
        (alfa, "ara", "done", dt.date(2026, 2, 3), 4),
        (alfa, "ara", "done", dt.date(2026, 3, 9), 5),  # a new edition of the same booklet
        (None, "ita", "done", dt.date(2026, 1, 15), 6),
        (beta, "urd", "failed", dt.date(2026, 2, 3), 0),  # never built: not an edition
        (alfa, "zho", "done", dt.date(2026, 4, 2), 5),  # after the period
    ]:
        GuideEdition.objects.create(
            province=province,
            district=district,
            language=language,
            status=status,
            entry_count=entries,
            built_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))) if status == "done" else None,
        )
    return {"province": province, "alfa": alfa}


def _scope(guide, *, suppress=False, district=None):
    return Scope(
        province=guide["province"],
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 3, 31),
        district=district,
        suppress=suppress,
    )


def test_the_figures_of_the_province_are_exact(guide, django_assert_num_queries):
    with django_assert_num_queries(6):
        figures = indicators.mini_guide(_scope(guide))
    assert figures["entries_by_district"] == [("Alfa", 3), ("Beta", 1), ("", 1)]
    assert figures["published"] == 5
    assert figures["translated_by_language"] == [("ara", 2), ("eng", 1), ("zho", 1)]
    assert figures["approved_by_language"] == [("ara", 5), ("eng", 2), ("zho", 4)]
    assert figures["views"] == [
        (dt.date(2026, 1, 1), "ara", 2),
        (dt.date(2026, 1, 1), "ita", 40),
        (dt.date(2026, 2, 1), "ara", 7),
        (dt.date(2026, 2, 1), "ita", 35),
        (dt.date(2026, 3, 1), "ita", 50),
    ]
    assert figures["booklet_editions"] == [("ara", "Alfa", 2, 5), ("ita", "", 1, 6)]


def test_a_districts_report_counts_its_own_services_and_its_provinces_views(guide):
    figures = indicators.mini_guide(_scope(guide, district=guide["alfa"]))
    assert figures["entries_by_district"] == [("Alfa", 3)]
    assert figures["approved_by_language"] == [("ara", 5), ("eng", 2), ("zho", 2)]
    assert sum(n for _month, _language, n in figures["views"]) == 134
    assert figures["booklet_editions"] == [("ara", "Alfa", 2, 5)]


def _tables(guide, suppress):
    with translation.override("it"):
        tables = presenters.mini_guide_tables(indicators.mini_guide(_scope(guide)), suppress=suppress)
        return {table["id"]: [[str(cell) for cell in row] for row in table["rows"]] for table in tables}


def test_province_staff_read_every_count(guide):
    tables = _tables(guide, suppress=False)
    ara, eng, zho, ita = (language_name(code) for code in ("ara", "eng", "zho", "ita"))
    assert tables["mini-guide-entries"] == [["Alfa", "3"], ["Beta", "1"], ["Tutta la provincia", "1"], ["Totale", "5"]]
    assert tables["mini-guide-translated"] == [[ara, "2"], [eng, "1"], [zho, "1"]]
    assert tables["mini-guide-approved"] == [[ara, "5"], [eng, "2"], [zho, "4"], ["Totale", "11"]]
    assert tables["mini-guide-views"] == [
        ["01/2026", "40", "2"],
        ["02/2026", "35", "7"],
        ["03/2026", "50", "0"],
        ["Totale", "125", "9"],
    ]
    assert tables["mini-guide-editions"] == [[ara, "Alfa", "2", "5"], [ita, "Tutta la provincia", "1", "6"]]
    with translation.override("it"):
        views = [t for t in presenters.mini_guide_tables(indicators.mini_guide(_scope(guide)), suppress=False)
                 if t["id"] == "mini-guide-views"][0]  # fmt: skip
    assert views["columns"][1:] == [ita, ara]


def test_the_funder_cannot_work_out_a_small_count_of_readers_or_translators(guide):
    tables = _tables(guide, suppress=True)
    ara, eng, zho = (language_name(code) for code in ("ara", "eng", "zho"))
    # English's 2 texts under a total of 11: Chinese's 4 is withheld too, or 11 − 5 − 4 would give it away.
    assert tables["mini-guide-approved"] == [[ara, "5"], [eng, SUPPRESSED], [zho, "riservato"], ["Totale", "11"]]
    # Arabic's 2 readers of January under a total of 9: February's 7 is withheld, March's 0 tells about nobody.
    assert tables["mini-guide-views"] == [
        ["01/2026", "40", SUPPRESSED],
        ["02/2026", "35", "riservato"],
        ["03/2026", "50", "0"],
        ["Totale", "125", "9"],
    ]
    # Services are not people: the directory's counts read as they are.
    assert tables["mini-guide-entries"][1] == ["Beta", "1"]


def test_a_total_of_one_or_two_is_a_small_count_for_the_funder_too():
    import datetime as dt

    figures = {
        "entries_by_district": [],
        "published": 0,
        "translated_by_language": [],
        "approved_by_language": [("eng", 2)],
        "views": [(dt.date(2026, 1, 1), "ara", 1), (dt.date(2026, 2, 1), "ara", 1)],
        "booklet_editions": [],
    }
    with translation.override("it"):
        funder = {t["id"]: t["rows"] for t in presenters.mini_guide_tables(figures, suppress=True)}
        staff = {t["id"]: t["rows"] for t in presenters.mini_guide_tables(figures, suppress=False)}
    assert funder["mini-guide-approved"][-1][1] == funder["mini-guide-views"][-1][1] == SUPPRESSED
    assert staff["mini-guide-approved"][-1][1] == staff["mini-guide-views"][-1][1] == 2


def test_the_funders_csv_and_xlsx_carry_the_mini_guide_with_the_small_counts_hidden(guide):
    stream = io.StringIO()
    services.report_write(scope=_scope(guide, suppress=True), format="csv", stream=stream)
    text = stream.getvalue()
    assert "Mini-guida: pagine pubbliche lette, per mese e lingua" in text
    assert "01/2026;40;< 3" in text and "02/2026;35;riservato" in text

    from openpyxl import load_workbook

    binary = io.BytesIO()
    services.report_write(scope=_scope(guide, suppress=True), format="xlsx", stream=binary)
    workbook = load_workbook(io.BytesIO(binary.getvalue()), read_only=True)
    views = next(sheet for sheet in workbook.worksheets if "pagine pubbliche" in sheet.title)
    assert [list(row) for row in views.iter_rows(values_only=True)][1] == ["01/2026", 40, SUPPRESSED]


def test_the_pdf_has_a_section_for_the_mini_guide(guide, tmp_path):
    target = tmp_path / "report.pdf"
    with target.open("wb") as stream:
        services.report_write(scope=_scope(guide, suppress=True), format="pdf", stream=stream)
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True)
    lines = {"".join(line.split()) for line in text.stdout.splitlines()}
    assert "Miniguidamultilingue" in lines
    assert {"01/202640<3", "02/202635riservato", "Totale1259"} <= lines


def _project(guide, *actions):
    funder = f.FunderFactory(name="ATS Guidania", provinces=[guide["province"]])
    project = Project.objects.create(
        title="Progetto Guidania",
        call="Bando 2026",
        funder=funder,
        lead_province=guide["province"],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
    )
    partner = ProjectPartner.objects.create(project=project, name="Provincia di Guidania")
    for action in actions:
        BudgetLine.objects.create(project=project, partner=partner, action=action, amount=1000)
    return project, funder


def test_a_project_that_pays_for_the_guide_shows_its_figures_the_funder_without_small_counts(guide):
    project, funder = _project(guide, Action.MINI_GUIDE)
    section = reverse("reporting:project_section", args=[project.pk, "guida"])
    staff_client = login_client(f.province_staff(province=guide["province"]))
    # The page announces the section and loads it after itself (htmx); opened alone, the section is a page.
    assert f'hx-get="{section}"' in staff_client.get(project.get_absolute_url()).content.decode()
    staff = staff_client.get(section, HTTP_HX_REQUEST="true")
    funder_page = login_client(f.funder_viewer(funder=funder)).get(section, HTTP_HX_REQUEST="true")
    assert staff.status_code == funder_page.status_code == 200
    staff_html, funder_html = staff.content.decode(), funder_page.content.decode()
    assert (
        'data-testid="table-mini-guide-views"' in staff_html and 'data-testid="table-mini-guide-views"' in funder_html
    )
    assert "<html" not in staff_html and "<html" in staff_client.get(section).content.decode()
    views = [t for t in funder_page.context["tables"] if t["id"] == "mini-guide-views"][0]
    assert [str(cell) for cell in views["rows"][0]] == ["01/2026", "40", SUPPRESSED]
    staff_views = [t for t in staff.context["tables"] if t["id"] == "mini-guide-views"][0]
    assert staff_views["rows"][0] == ["01/2026", 40, 2]


def test_a_project_without_the_action_shows_no_guide(guide):
    project, _funder = _project(guide, Action.MEDIATION)
    client = login_client(f.province_staff(province=guide["province"]))
    response = client.get(project.get_absolute_url())
    assert response.context["sections"] == [] and "mini-guide" not in response.content.decode()
    assert client.get(reverse("reporting:project_section", args=[project.pk, "guida"])).status_code == 404
    assert reverse("reporting:project", args=[project.pk]) == project.get_absolute_url()
