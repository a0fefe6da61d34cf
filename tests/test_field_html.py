"""Every form field is written by Python (mediazione.templatetags.portal_forms.portal_field) exactly as the template
it replaced wrote it: that template is kept here as the reference, and both write every kind of field the portal
uses, empty, filled and with errors, in Italian and in English, with and without the help text."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from mediazione.templatetags.portal_forms import portal_field

REFERENCE = Template(
    '{% load portal_forms %}{% comment %}One form field in the Bootstrap Italia look: label, control, help, errors tied to the control.\nhide_help_text: leave out the help (the login page shows its own "forgotten password" link).{% endcomment %}\n{% if field.is_hidden %}{{ field }}{% else %}\n{% with widget=field.field.widget.input_type|default:"" %}\n<div class="mb-4 form-field"{% if field.field.roles %} data-roles="{{ field.field.roles }}"{% endif %}>\n  {% if widget == "checkbox" and not field.field.widget.allow_multiple_selected %}\n    <div class="form-check">\n      <input type="checkbox" class="form-check-input{% if field.errors %} is-invalid{% endif %}" name="{{ field.html_name }}" id="{{ field.id_for_label }}"{% if field.value %} checked{% endif %}{% if field.help_text and not hide_help_text %} aria-describedby="{{ field.id_for_label }}-help"{% endif %}>\n      <label class="form-check-label" for="{{ field.id_for_label }}">{{ field.label }}</label>\n    </div>\n  {% elif field.field.widget.allow_multiple_selected and widget == "checkbox" %}\n    <fieldset>\n      <legend class="form-label fw-semibold fs-6">{{ field.label }}{% if field.field.required %} <span class="text-danger" aria-hidden="true">*</span>{% endif %}</legend>\n      {% for option in field %}\n        <div class="form-check">\n          <input type="checkbox" class="form-check-input" name="{{ field.html_name }}" value="{{ option.data.value }}" id="{{ option.id_for_label }}"{% if option.data.selected %} checked{% endif %}>\n          <label class="form-check-label" for="{{ option.id_for_label }}">{{ option.choice_label }}</label>\n        </div>\n      {% endfor %}\n    </fieldset>\n  {% else %}\n    <label class="form-label fw-semibold" for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span class="text-danger" aria-hidden="true">*</span>{% endif %}</label>\n    {% if widget == "select" %}\n      <select class="form-select{% if field.errors %} is-invalid{% endif %}" name="{{ field.html_name }}" id="{{ field.id_for_label }}"{% if field.field.widget.allow_multiple_selected %} multiple size="{{ field.field.widget.attrs.size|default:8 }}"{% endif %}{% if field.field.required %} required{% endif %}{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.id_for_label }}-errors"{% endif %}>\n        {% for value, label, selected in field|select_options %}<option value="{{ value }}"{% if selected %} selected{% endif %}>{{ label }}</option>{% endfor %}\n      </select>\n    {% elif field.field.widget.template_name == "django/forms/widgets/textarea.html" %}\n      <textarea class="form-control{% if field.errors %} is-invalid{% endif %}" name="{{ field.html_name }}" id="{{ field.id_for_label }}" rows="{{ field.field.widget.attrs.rows|default:4 }}"{% if field.field.required %} required{% endif %}{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.id_for_label }}-errors"{% elif field.help_text %} aria-describedby="{{ field.id_for_label }}-help"{% endif %}>{{ field.value|default_if_none:"" }}</textarea>\n    {% else %}\n      <input class="form-control{% if field.errors %} is-invalid{% endif %}" type="{{ widget|default:\'text\' }}" name="{{ field.html_name }}" id="{{ field.id_for_label }}"{% if widget != "password" %} value="{{ field|widget_value }}"{% endif %}{% if field.field.required %} required{% endif %}{% for key, value in field.field.widget.attrs.items %}{% if key == "autocomplete" or key == "placeholder" or key == "maxlength" or key == "step" or key == "min" or key == "max" %} {{ key }}="{{ value }}"{% endif %}{% endfor %}{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.id_for_label }}-errors"{% elif field.help_text and not hide_help_text %} aria-describedby="{{ field.id_for_label }}-help"{% endif %}>\n    {% endif %}\n  {% endif %}\n  {% if field.help_text and not hide_help_text %}<div class="form-text" id="{{ field.id_for_label }}-help">{{ field.help_text|safe }}</div>{% endif %}\n  {% if field.errors %}<div class="invalid-feedback d-block" id="{{ field.id_for_label }}-errors">{% for error in field.errors %}{{ error }} {% endfor %}</div>{% endif %}\n</div>\n{% endwith %}\n{% endif %}\n'
)


def _normal(html: str) -> str:
    """The same HTML whatever the spaces between tags (the template's line breaks)."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def reference(field, hide_help_text=False) -> str:
    return _normal(REFERENCE.render(Context({"field": field, "hide_help_text": hide_help_text})))


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
            assert _normal(portal_field(field, hide_help_text)) == reference(field, hide_help_text), field.name


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
        ]
        checked = 0
        for form in forms_to_check:
            form.is_valid()
            for field in form:
                assert _normal(portal_field(field)) == reference(field), field.name
                checked += 1
        assert checked > 10
