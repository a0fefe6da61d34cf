"""Every form field is written by Python (mediazione.templatetags.portal_forms.portal_field) exactly as the template
it replaced wrote it: that template is kept here as the reference, and both write every kind of field the portal
uses, empty, filled and with errors, in Italian and in English, with and without the help text."""

import datetime as dt
from decimal import Decimal

import django_filters
import pytest
from django import forms
from django.db import connection
from django.template import Context
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import District
from mediazione.templatetags.portal_forms import filter_fields, portal_field

from . import reference_html
from .reference_html import normal

# The template includes/field.html was before it called portal_field, kept as it was.
REFERENCE = reference_html.reference("field_reference.html")


def reference(field, hide_help_text=False) -> str:
    return normal(REFERENCE.render(Context({"field": field, "hide_help_text": hide_help_text})))


class EveryKind(forms.Form):
    name = forms.CharField(label="Nome & <cognome>", max_length=80, help_text="Come nel <b>documento</b>.")
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    hours = forms.DecimalField(min_value=0, max_value=40, decimal_places=1, localize=True)
    km = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"step": 5, "min": 0, "max": 500}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Facoltativo")
    plain_text = forms.CharField(required=False, widget=forms.Textarea)
    mode = forms.ChoiceField(choices=[("", "—"), ("in_person", "In presenza"), ("phone", 'Telefono "rapido"')])
    grouped = forms.ChoiceField(
        required=False, choices=[("Europa", [("it", "Italia"), ("fr", "Francia")]), ("x", "Altro")]
    )
    languages = forms.MultipleChoiceField(
        required=False, choices=[("ara", "Arabo"), ("urd", "Urdu")], widget=forms.SelectMultiple(attrs={"size": 4})
    )
    settings = forms.MultipleChoiceField(
        choices=[("school", "Scuola"), ("health", "Sanità")], widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(help_text="Obbligatorio per iscriversi.")
    urgent = forms.BooleanField(required=False)
    side = forms.ChoiceField(required=False, choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].roles = "coordinator social_worker"


FILLED = {
    "name": 'Amina "Benali" <b>',
    "email": "amina@example.org",
    "password": "segreta",
    "hours": "2,5",
    "km": "15",
    "day": "2026-12-03",
    "at": "09:30",
    "notes": "Due righe\n<e un tag>",
    "mode": "phone",
    "grouped": "fr",
    "languages": ["ara", "urd"],
    "settings": ["health"],
    "consent": "on",
    "urgent": "",
    "side": "b",
    "token": "x&y",
}
WRONG = {
    **FILLED,
    "email": "non-un-indirizzo",
    "hours": "99",
    "km": "tanti",
    "day": "31/02/2026",
    "mode": "boh",
    "languages": ["xxx"],
    "settings": [],
    "consent": "",
}


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("data", [None, FILLED, WRONG], ids=["empty", "filled", "with errors"])
@pytest.mark.parametrize("hide_help_text", [False, True])
def test_every_kind_of_field_is_written_as_the_template_wrote_it(language, data, hide_help_text):
    with translation.override(language):
        form = EveryKind(data, initial={"day": dt.date(2026, 12, 3), "hours": Decimal("1.5")})
        if data is not None:
            form.is_valid()
        for field in form:
            assert normal(portal_field(field, hide_help_text)) == reference(field, hide_help_text), field.name


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_portals_own_forms_are_written_as_the_template_wrote_them(demo_world, language):
    """The filters of the lists and the forms of a request, a mediator, an invitation, as their users see them."""
    from accounts.filters import MembershipFilter
    from accounts.models import Membership, User
    from mediators import selectors as mediator_selectors
    from mediators.filters import RosterFilter
    from requests_app import selectors as request_selectors
    from requests_app.filters import RequestFilter

    coordinator = User.objects.get(email__startswith="coordinatore.cremona")
    social_worker = User.objects.get(email__startswith="assistente.cremona")
    with translation.override(language):
        forms_to_check = [
            RosterFilter(
                {"language": "ara", "available_on": "2026-02-30"},
                queryset=mediator_selectors.roster(user=coordinator),
                user=coordinator,
            ).form,
            RequestFilter(None, queryset=request_selectors.request_list(user=social_worker), user=social_worker).form,
            MembershipFilter({"role": "nobody"}, queryset=Membership.objects.all()).form,
            DistrictOrNone({"district": "null"}, queryset=Membership.objects.all()).form,
        ]
        checked = 0
        for form in forms_to_check:
            form.is_valid()
            for field in form:
                with CaptureQueriesContext(connection) as queries:
                    written = normal(portal_field(field))
                assert written == reference(field), field.name
                # A menu of model rows is one plain query, never a server-side cursor (three round trips).
                assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DECLARE")], field.name
                checked += 1
        assert checked > 10


class DistrictOrNone(django_filters.FilterSet):
    """A model menu with django-filter's "no value" option after the empty one."""

    district = django_filters.ModelChoiceFilter(
        field_name="district", queryset=District.objects.order_by("name"), null_label="Nessun ambito"
    )


def columns_reference(form, column="col-12 col-md-4") -> str:
    """What each list's template wrote before filter_fields: a column around each field, as the reference writes it."""
    return normal("".join(f'<div class="{column}">{reference(field)}</div>' for field in form))


def visible(user, model):
    from accounts.scoping import visible

    return visible(user, model)


def roster_filter(user, data=None):
    from mediators import selectors as mediator_selectors
    from mediators.filters import RosterFilter

    filterset = RosterFilter(data, queryset=mediator_selectors.roster(user=user), user=user)
    filterset.form.is_valid()
    return filterset.form


@pytest.fixture
def coordinator(demo_world):
    from accounts.models import User

    return User.objects.get(email__startswith="coordinatore.cremona")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize(
    "data",
    [None, {"after": "xyz"}, {"language": "ara", "district": "", "ordering": "-name"}, {"available_on": "2026-02-30"}],
    ids=["empty", "a page further", "filtered", "with errors"],
)
def test_a_lists_filters_are_written_as_the_loop_of_fields_wrote_them(coordinator, language, data):
    with translation.override(language):
        for _ in range(2):  # written, then kept
            form = roster_filter(coordinator, data)
            assert normal(filter_fields(form, "col-12 col-md-4")) == columns_reference(form)


@pytest.mark.django_db
def test_kept_filters_are_written_again_when_anything_they_show_changes(coordinator):
    with translation.override("it"):
        italian = filter_fields(roster_filter(coordinator), "col-12")
        assert filter_fields(roster_filter(coordinator), "col-12") == italian
        district = visible(coordinator, District).get()  # the coordinator's menu of districts
        district.name = "Ambito <rinominato>"
        district.save()
        renamed = filter_fields(roster_filter(coordinator), "col-12")
        assert "Ambito &lt;rinominato&gt;" in renamed
        chosen = filter_fields(roster_filter(coordinator, {"gender": "female"}), "col-12")
        assert '<option value="female" selected>' in chosen
        assert '<option value="female" selected>' not in renamed
        assert filter_fields(roster_filter(coordinator), "col-6") != renamed
    with translation.override("en"):
        english = filter_fields(roster_filter(coordinator), "col-12")
        assert "Any language" in english
        assert "Any language" not in renamed


@pytest.mark.django_db
def test_a_kept_filters_menu_of_rows_is_read_once_each_time(coordinator):
    with translation.override("it"):
        filter_fields(roster_filter(coordinator), "col-12")
        form = roster_filter(coordinator)
        with CaptureQueriesContext(connection) as queries:
            filter_fields(form, "col-12")
    # The districts' menu, read to know whether what is kept still shows it, and not again to write it.
    assert [q["sql"] for q in queries.captured_queries if "accounts_district" in q["sql"]] != []
    assert len(queries.captured_queries) == 1
