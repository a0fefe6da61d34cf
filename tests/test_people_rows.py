"""The people page's rows are written by Python (accounts/templatetags/people_rows.py) exactly as the page's template
wrote them: that template is kept as the reference (tests/people_row_reference.html), and both write the same roles
and invitations, in Italian and in English."""

import datetime as dt

import pytest
import time_machine
from django.template import Context
from django.utils import translation

from accounts import selectors
from accounts.models import Invitation, Membership, Role
from accounts.templatetags.people_rows import invitation_rows, membership_rows

from . import factories as f
from .reference_html import normal, reference

REFERENCE = reference("people_row_reference.html")
TOKEN = '<input type="hidden" name="csrfmiddlewaretoken" value="tok-123">'


def _context(me, memberships, invitations):
    return Context({"user": me, "csrf_token": "tok-123", "page": memberships, "invitations": invitations})


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_row_is_written_as_the_template_wrote_it(language):
    province = f.ProvinceFactory(name="Cremona")
    north = f.DistrictFactory(province=province, name="Nord & <Est>")
    south = f.DistrictFactory(province=province, name="Sud")
    office = f.OfficeFactory(district=north, name='Servizio "Famiglie"')
    provider = f.ProviderFactory(province=province, name="Cooperativa <Ponti>")
    me = f.UserFactory(first_name="Carla", last_name="Coordinatrice")
    f.MembershipFactory(user=me, role=Role.COORDINATOR, office=None, district=north)
    f.MembershipFactory(user=f.UserFactory(first_name="<b>Anna</b>", last_name="Rossi"), office=office)
    f.MembershipFactory(user=f.UserFactory(first_name="", last_name="", email="senza.nome@example.org"),
                        office=office, is_active=False)  # fmt: skip
    f.MembershipFactory(user=f.UserFactory(first_name="Amina", last_name="Benali"), role=Role.MEDIATOR, office=None,
                        provider=provider, districts=[south, north])  # fmt: skip
    f.MembershipFactory(role=Role.PROVINCE_STAFF, office=None, province=province)
    f.InvitationFactory(email="nuova@example.org", office=office,
                        expires_at=dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC))  # fmt: skip
    f.InvitationFactory(email="scaduta@example.org", role=Role.MEDIATOR, office=None, provider=provider,
                        expires_at=dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC))  # fmt: skip
    memberships = list(selectors.membership_page(Membership.objects.order_by("pk")))
    invitations = list(Invitation.objects.select_related("office", "provider").order_by("pk"))
    assert len(memberships) == 5 and len(invitations) == 2
    with translation.override(language):
        context = _context(me, memberships, invitations)
        rows = membership_rows(context, memberships) + "<!-- invitations -->" + invitation_rows(context, invitations)
        written = normal(rows)
        expected = normal(REFERENCE.render(_context(me, memberships, invitations)))
    assert written == expected
    assert written.count("<tr>") == 7
    # Three roles to end (neither mine nor the ended one), two forms for each invitation.
    assert written.count(TOKEN) == 3 + 2 * 2
    assert "&lt;b&gt;Anna&lt;/b&gt; Rossi" in written and "Nord &amp; &lt;Est&gt;, Sud" in written
    until = "valid until 10 Dec 2026, 10:30" if language == "en" else "valido fino al giorno 10 dic 2026, 10:30"
    assert until in written


@pytest.mark.django_db
def test_no_role_and_no_invitation_write_no_row():
    context = Context({"csrf_token": "tok-123"})
    assert membership_rows(context, []) == "" and invitation_rows(context, []) == ""
