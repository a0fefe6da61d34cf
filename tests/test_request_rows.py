"""The request lists' rows are written by Python (requests_app/templatetags/request_rows.py) exactly as the list's
template wrote them: that template is kept as the reference (tests/request_row_reference.html), and both write the
same requests, in Italian and in English, with and without the office, district and offer columns (the office's list,
the district queue, the province's and the administrator's lists)."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.template import Context
from django.utils import translation

from requests_app import panels, selectors
from requests_app.templatetags.request_rows import request_rows
from scheduling.models import Offer

from . import factories as f
from .reference_html import normal, reference

REFERENCE = reference("request_row_reference.html")
CREATED = dt.datetime(2026, 3, 20, 8, 15, tzinfo=dt.UTC)
SUBMITTED = dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC)  # 30 March in Rome, the night the clocks move


def _offers(request, coordinator, statuses):
    for status in statuses:  # one offer per mediator
        Offer.objects.create(request=request, mediator=f.MediatorFactory(), status=status, created_by=coordinator,
                             release_at=SUBMITTED, expires_at=SUBMITTED + dt.timedelta(days=2),
                             answered_at=SUBMITTED + dt.timedelta(days=1))  # fmt: skip


def _rows():
    office = f.OfficeFactory(name='Servizio <Tutela> & "Minori"', district__name="Ambito & <Crema>")
    other = f.OfficeFactory(name="Consultorio", district__name="Ambito Sud")
    amina = f.MediatorFactory(first_name="<b>Amina</b>", last_name='& "Ali"')
    oleksandr = f.MediatorFactory(first_name="Oleksandr", last_name="Kovalenko")
    coordinator = f.coordinator(district=office.district)
    with time_machine.travel(CREATED, tick=False):  # created_at is auto_now_add: the draft's date is fixed
        f.MediationRequestFactory(
            office=office,
            case_code='TM-2026-<01> & "A"',
            urgency="urgent",
            deadline=dt.date(2026, 4, 2),
            status="submitted",
            submitted_at=SUBMITTED,
            languages=['ara:Darija <marocchino> & "rurale"', "fra"],
        )
        matching = f.MediationRequestFactory(
            office=office,
            urgency="urgent",
            deadline=dt.date(2026, 4, 9),
            status="matching",
            submitted_at=SUBMITTED,
            languages=["ukr"],
            service_kind="interpreting",
            setting="health",
        )
        scheduled = f.MediationRequestFactory(
            office=other,
            deadline=dt.date(2026, 5, 1),
            status="scheduled",
            submitted_at=SUBMITTED - dt.timedelta(days=3),
            assigned_mediator=amina,
            languages=["zho:Cantonese", "tir"],
            setting="school",
        )
        f.MediationRequestFactory(office=office, status="draft", submitted_at=None, languages=[])
        f.MediationRequestFactory(
            office=other,
            status="rejected",
            submitted_at=SUBMITTED,
            languages=["fra"],
            service_kind="written_translation",
        )
        f.MediationRequestFactory(
            office=other,
            status="closed",
            submitted_at=SUBMITTED,
            assigned_mediator=oleksandr,
            service_kind="accompaniment",
            setting="judicial",
        )
        _offers(matching, coordinator, ["open", "queued"])  # one sent, none answered
        # Three sent, two answered (an expired offer was sent, never answered).
        _offers(scheduled, coordinator, ["accepted", "declined", "expired", "queued"])
    # The rows as the list reads them: its selector, with the offer counts the district's and province's lists add.
    administrator = f.administrator()
    rows = selectors.with_row_languages(
        list(panels.annotate_list(selectors.request_list(user=administrator)).order_by("pk"))
    )
    # An urgent request without a deadline: the database refuses it (request_urgent_has_deadline), the row would
    # still write it.
    rows[1].deadline = None
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize(
    ("show_office", "show_district", "show_offers"), list(itertools.product([False, True], repeat=3))
)
def test_every_kind_of_row_is_written_as_the_template_wrote_it(language, show_office, show_district, show_offers):
    rows = _rows()
    assert [(r.offers_sent, r.offers_answered) for r in rows][1:3] == [(1, 0), (3, 2)]
    columns = {"show_office": show_office, "show_district": show_district, "show_offers": show_offers}
    with translation.override(language):
        written = normal(request_rows(rows, **columns))
        expected = normal(REFERENCE.render(Context({"page": rows, **columns})))
    assert written == expected
    assert written.count('data-testid="request-row"') == 6
    assert (
        "TM-2026-&lt;01&gt; &amp; &quot;A&quot;" in written
        and "&lt;b&gt;Amina&lt;/b&gt; &amp; &quot;Ali&quot;" in written
    )
    assert "Darija &lt;marocchino&gt; &amp; &quot;rurale&quot;" in written
    assert ("30 mar 2026" if language == "it" else "30 Mar 2026") in written  # the day in Rome, not in UTC
    assert ("creata il giorno 20 mar 2026" if language == "it" else "created 20 Mar 2026") in written
    assert ("entro il giorno 2 apr 2026" if language == "it" else "by 2 Apr 2026") in written
    assert ("Servizio &lt;Tutela&gt; &amp; &quot;Minori&quot;" in written) is show_office
    assert ("Ambito &amp; &lt;Crema&gt;" in written) is (show_office and show_district)
    assert (">3 · 2<" in written) is show_offers


@pytest.mark.django_db
def test_an_empty_page_writes_no_row():
    assert request_rows([], True, True, True) == ""
