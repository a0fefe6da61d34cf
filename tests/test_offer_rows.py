"""The past offers' rows of "My offers" are written by Python (scheduling/templatetags/offer_rows.py) exactly as the
page's template wrote them: that template is kept as the reference (tests/offer_row_reference.html), and both write
the same offers, in Italian and in English, in the page's time zone."""

import datetime as dt

import pytest
from django.template import Context
from django.urls import reverse
from django.utils import timezone, translation

from scheduling import selectors
from scheduling.models import Offer
from scheduling.templatetags.offer_rows import past_offer_rows

from . import factories as f
from .conftest import login_client
from .reference_html import normal, reference

REFERENCE = reference("offer_row_reference.html")
# 23:30 UTC on the last day of March: already 1 April (01:30) in Rome, in summer time.
AT = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)


def _past_offers():
    """One past offer of each kind, read as the page reads them (the view's selector, order and split)."""
    provider = f.ProviderFactory()
    district = f.DistrictFactory(province=provider.province, name='Cremona & "Crema" <Sud>')
    office = f.OfficeFactory(district=district)
    user = f.mediator(provider=provider, districts=[district])
    mine = f.MediatorFactory(provider=provider, districts=[district], user=user, email=user.email)
    other = f.MediatorFactory(provider=provider, districts=[district])

    def offer(code, status, answered_at=None, assigned=None, hours=0):
        request = f.MediationRequestFactory(office=office, case_code=code, status="assigned" if assigned else "closed",
                                            assigned_mediator=assigned)  # fmt: skip
        release = AT - dt.timedelta(days=10, hours=hours)
        Offer.objects.create(request=request, mediator=mine, status=status, release_at=release, answered_at=answered_at,
                             expires_at=release + dt.timedelta(days=1), created_by=user)  # fmt: skip

    offer('TM<b>&"1"', Offer.Status.ACCEPTED, answered_at=AT, assigned=mine)  # accepted and theirs: a link
    offer("TM-2", Offer.Status.ACCEPTED, answered_at=AT - dt.timedelta(days=3), assigned=other, hours=1)  # reassigned
    offer("TM-3", Offer.Status.ACCEPTED, answered_at=AT, hours=2)  # accepted, the request not assigned (any more)
    offer("TM-4", Offer.Status.DECLINED, answered_at=dt.datetime(2026, 12, 10, 8, 5, tzinfo=dt.UTC), hours=3)
    offer("TM-5", Offer.Status.EXPIRED, hours=4)  # never answered
    offer("TM-6", Offer.Status.WITHDRAWN, hours=5)
    offer("TM-7", Offer.Status.OPEN, hours=6)  # open: not a past offer
    offers = list(selectors.mediator_offers(user=user).order_by("-release_at", "-pk")[:100])
    return [o for o in offers if o.status != Offer.Status.OPEN]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_past_offer_is_written_as_the_template_wrote_it(language):
    rows = _past_offers()
    assert len(rows) == 6
    with translation.override(language), timezone.override("Europe/Rome"):
        written = normal(past_offer_rows(rows))
        expected = normal(REFERENCE.render(Context({"past_offers": rows})))
    assert written == expected
    assert written.count('<li class="mb-1">') == 6
    assert written.count("<a href=") == 1 and f'<a href="{rows[0].request.get_absolute_url()}">' in written
    assert "TM&lt;b&gt;&amp;&quot;1&quot;" in written and "Cremona &amp; &quot;Crema&quot; &lt;Sud&gt;" in written
    assert ("1 apr 2026, 01:30" if language == "it" else "1 Apr 2026, 01:30") in written  # the time in Rome
    assert ("Offerta: richiesta TM-5" if language == "it" else "Offer: request TM-5") in written
    assert ("Ritirata" if language == "it" else "Withdrawn") in written


@pytest.mark.django_db
def test_no_past_offer_writes_no_row():
    assert past_offer_rows([]) == ""


@pytest.mark.django_db
def test_the_page_still_says_when_there_is_no_past_offer():
    user = f.mediator()
    f.MediatorFactory(provider=user.memberships.get().provider, user=user, email=user.email)
    page = login_client(user).get(reverse("scheduling:offers")).content.decode()
    assert "Nessuna offerta passata." in page
