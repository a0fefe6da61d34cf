"""The rows of a district's month of timesheets are written by Python (timesheets/templatetags/sheet_rows.py) exactly as
the page's template wrote them: that template is kept as the reference (tests/timesheet_month_reference.html, with
its includes timesheets/_status.html and timesheets/_actions.html), and both write the same sheets of a real month,
read and given their actions as the page reads them, in Italian and in English, with and without the batch's
checkbox column and the district's column."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.scoping import actor_for
from timesheets import selectors, services
from timesheets.models import Timesheet
from timesheets.templatetags.sheet_rows import month_sheet_rows

from . import factories as f
from . import timesheet_factories as tf
from .conftest import login_client
from .reference_html import normal, reference

REFERENCE = reference("timesheet_month_reference.html")

# A Sunday at 23:30 in Rome, the night summer time begins: what "last month" and "next Monday" mean does not move.
NOW = datetime(2026, 3, 29, 23, 30, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


TOKEN = '<input type="hidden" name="csrfmiddlewaretoken" value="tok-123">'
REASON = '<b>&"x"'
NORTH = "Nord & <Est>"


def _month():
    """A province's last month in two districts: in the north (the coordinator's), a submitted sheet (two sessions
    reported), one sent back, one approved, two drafts missing one and two reports; in the south, a submitted one."""
    world = tf.month_world(held=2)
    month = tf.last_month()
    world.district.name = NORTH
    world.district.save(update_fields=["name"])
    provider = world.mediator.provider
    provider.name = 'Cooperativa <Ponti> & "Co"'
    provider.save(update_fields=["name"])
    world.mediator.first_name, world.mediator.last_name = "<b>Anna</b>", "Abate"
    world.mediator.save(update_fields=["first_name", "last_name"])
    services.timesheet_submit(
        actor=actor_for(world.mediator_user), mediator=world.mediator, district=world.district, month=month
    )
    south = f.DistrictFactory(province=world.province, name="Sud")
    now = timezone.now()

    def mediator(last_name, district=world.district):
        return f.MediatorFactory(provider=provider, districts=[district], first_name="Lia", last_name=last_name)

    Timesheet.objects.create(mediator=mediator("Bruni"), district=world.district, month=month, status="sent_back",
                             send_back_reason=REASON, sent_back_by=world.coordinator, sent_back_at=now)  # fmt: skip
    Timesheet.objects.create(mediator=mediator("Conti"), district=world.district, month=month, status="approved",
                             approved_by=world.coordinator, approved_at=now)  # fmt: skip
    for sessions, last_name in ((1, "Dini"), (2, "Esposito")):
        request = f.MediationRequestFactory(office=world.office, requester=world.social_worker, status="scheduled",
                                            assigned_mediator=mediator(last_name))  # fmt: skip
        for day in range(sessions):
            tf.appointment_on(request, month + timedelta(days=3 + day))  # held, no report yet
    Timesheet.objects.create(mediator=mediator("Fabbri", south), district=south, month=month, status="submitted",
                             submitted_at=now)  # fmt: skip
    return world


def _page(user):
    """The districts, the sheets with their actions and ``approvable``, as timesheets.views.district_timesheets."""
    found = selectors.district_month(user=user, month=tf.last_month())
    sheets = found.sheets
    for sheet in sheets:
        sheet.actions = selectors.sheet_actions(user=user, sheet=sheet)
    approvable = any(sheet.actions["approve"] and sheet.timesheet for sheet in sheets)
    return found.districts, sheets, approvable


def _viewer(world, who):
    if who == "coordinator":
        return world.coordinator
    return f.province_staff(province=world.province) if who == "province_staff" else f.administrator()


# Who sees the page: how many sheets and districts, may they approve, how many forms (approve and send back on the
# submitted sheets; an administrator also submits the drafts and the sheet sent back of a month over).
VIEWERS = {
    "coordinator": {"rows": 5, "districts": 1, "approvable": True, "boxes": 1, "forms": 2},
    "province_staff": {"rows": 6, "districts": 2, "approvable": False, "boxes": 0, "forms": 0},
    "administrator": {"rows": 6, "districts": 2, "approvable": True, "boxes": 2, "forms": 2 * 2 + 3},
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("who", list(VIEWERS))
def test_every_kind_of_sheet_is_written_as_the_template_wrote_it(language, who):
    world = _month()
    user = _viewer(world, who)
    districts, sheets, approvable = _page(user)
    seen = VIEWERS[who]
    assert (len(sheets), len(districts), approvable) == (seen["rows"], seen["districts"], seen["approvable"])
    assert [sheet.status for sheet in sheets[:5]] == ["submitted", "sent_back", "approved", "draft", "draft"]
    assert [len(sheet.missing_reports) for sheet in sheets[:5]] == [0, 0, 0, 1, 2]
    request = RequestFactory().get(reverse("timesheets:district") + "?mese=2026-03&page=1")
    request.user = user
    it = language == "it"
    # The page's own variant, then the other: with and without the batch's column, for one district and for two.
    for batch in (approvable, not approvable):
        values = {"request": request, "csrf_token": "tok-123", "sheets": sheets, "approvable": batch,
                  "districts": districts}  # fmt: skip
        with translation.override(language):
            written = normal(month_sheet_rows(Context(values), sheets, batch, districts))
            expected = normal(REFERENCE.render(Context(values)))
        assert written == expected
        assert written.count('<tr data-testid="sheet">') == seen["rows"]
        assert written.count('<td class="batch-col">') == (seen["rows"] if batch else 0)
        assert written.count('data-testid="batch-box"') == (seen["boxes"] if batch else 0)
        if batch and seen["boxes"]:
            select = "Seleziona il foglio ore di" if it else "Select the timesheet of"
            assert f"{select} &lt;b&gt;Anna&lt;/b&gt; Abate (Nord &amp; &lt;Est&gt;)</label>" in written
    assert written.count("<td>Nord &amp; &lt;Est&gt;</td>") == (5 if seen["districts"] > 1 else 0)
    assert written.count(TOKEN) == seen["forms"]
    back = request.get_full_path().replace("&", "&amp;")  # the page to come back to, escaped
    assert written.count(f'{TOKEN}<input type="hidden" name="next" value="{back}">') == seen["forms"]
    assert ("&lt;b&gt;Anna&lt;/b&gt; Abate</a>" in written) and ("<b>Anna</b>" not in written)
    assert written.count("Cooperativa &lt;Ponti&gt; &amp; &quot;Co&quot;</span>") == seen["rows"]
    assert '<span class="small">&lt;b&gt;&amp;&quot;x&quot;</span>' in written and REASON not in written
    assert ("Rimandato indietro" if it else "Sent back") in written
    assert ("Approvato" if it else "Approved") in written and ("Bozza" if it else "Draft") in written
    assert ("1 resoconto mancante" if it else "1 report missing") in written
    assert ("2 resoconti mancanti" if it else "2 reports missing") in written
    assert ("77,66" if it else "77.66") in written and ("2,50" if it else "2.50") in written
    assert ((">Approva</button>" if it else ">Approve</button>") in written) is (seen["forms"] > 0)
    assert (">Rimanda indietro</button>" in written) is (it and seen["forms"] > 0)


@pytest.mark.django_db
def test_a_month_without_sheets_writes_no_row():
    assert month_sheet_rows(Context({"csrf_token": "tok-123"}), [], True, []) == ""


@pytest.mark.django_db
def test_the_page_writes_the_rows_with_their_forms_and_the_batch():
    world = _month()
    response = login_client(world.coordinator).get(reverse("timesheets:district") + f"?mese={tf.last_month():%Y-%m}")
    html = normal(response.content.decode())
    assert html.count('<tr data-testid="sheet">') == 5 and html.count('data-testid="batch-box"') == 1
    assert "&lt;b&gt;Anna&lt;/b&gt; Abate</a>" in html and "&lt;b&gt;&amp;&quot;x&quot;" in html
    assert "1 resoconto mancante" in html and "2 resoconti mancanti" in html and ">Approva</button>" in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count('name="csrfmiddlewaretoken"') == 2  # approve and send back, each with the request's token
    assert 'data-testid="month-totals"' in html and 'id="batch-approve"' in html
