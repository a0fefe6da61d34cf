"""The error summary of a form sent back: focusable, one link per field to correct (formsets' rows included), what
belongs to no field as plain text."""

from django import forms
from django.forms import formset_factory
from django.template import Context, Template
from django.utils import translation


class Family(forms.Form):
    case_code = forms.CharField(label="Codice caso")
    adults = forms.IntegerField(label="Adulti", min_value=0)

    def clean(self):
        raise forms.ValidationError("Controlla i dati della famiglia.")


class Language(forms.Form):
    code = forms.CharField(label="Lingua")
    variant = forms.CharField(label="Variante", required=False)


def render(source: str, **context) -> str:
    with translation.override("it"):
        return Template("{% load portal_forms %}" + source).render(Context(context))


def test_each_bad_field_gets_a_link_to_itself_and_the_summary_can_take_the_focus():
    html = render('{% include "includes/form_errors.html" %}', form=Family({"case_code": "", "adults": "-1"}))
    assert 'tabindex="-1"' in html and "data-error-summary" in html
    assert '<a href="#id_case_code">Codice caso: Questo campo è obbligatorio.</a>' in html
    assert '<a href="#id_adults">Adulti: ' in html
    assert "Controlla i dati della famiglia." in html
    assert "Correggi i campi segnalati qui sotto." in html


def test_the_rows_of_a_formset_are_linked_with_their_number():
    languages = formset_factory(Language, extra=0)(
        {
            "languages-TOTAL_FORMS": "2",
            "languages-INITIAL_FORMS": "0",
            "languages-0-code": "ara",
            "languages-1-variant": "Darija",
        },
        prefix="languages",
    )
    html = render(
        "{% error_summary form languages %}", form=Family({"case_code": "X", "adults": "1"}), languages=languages
    )
    assert '<a href="#id_languages-1-code">Lingua, riga 2: Questo campo è obbligatorio.</a>' in html


def test_a_form_without_errors_has_no_summary():
    assert "data-error-summary" not in render('{% include "includes/form_errors.html" %}', form=Language())
    assert "data-error-summary" not in render(
        '{% include "includes/form_errors.html" %}', form=Language({"code": "ara"})
    )
