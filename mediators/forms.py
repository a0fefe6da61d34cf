from functools import lru_cache

import pycountry
from django import forms
from django.forms import formset_factory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Provider
from accounts.scoping import visible
from core.fields import IdsModelMultipleChoiceField

from .languages import sorted_by_name
from .models import (
    Absence,
    AvailabilitySlot,
    LanguageLevel,
    Mediator,
    Qualification,
    Training,
    country_name,
    language_name,
    validate_language_code,
)
from .services import PROFILE_FIELDS

# Languages offered in the roster's language menu: the major languages (those with an ISO 639-1 code) and the
# languages and varieties most often met among migrant families in Lombardy that have no ISO 639-1 code.
EXTRA_LANGUAGES = [
    "ary", "arz", "aeb", "apd", "acm", "ajp", "wol", "tir", "twi", "pcm", "ful", "bam", "snk", "mnk", "fuc", "kri",
    "sus", "yor", "ibo", "hau", "ewe", "tem", "mos", "dyu", "pbu", "prs", "bal", "skr", "pnb", "sin", "ckb", "kmr",
    "cmn", "yue", "wuu", "hak", "nan", "tgl", "ceb", "mal", "tam", "tel", "kan", "mar", "guj", "nep", "rmy", "rom",
]  # fmt: skip


@lru_cache(maxsize=4)
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    codes = {record.alpha_3 for record in pycountry.languages if hasattr(record, "alpha_2")}
    codes.update(code for code in EXTRA_LANGUAGES if pycountry.languages.get(alpha_3=code))
    return tuple(sorted_by_name((c, f"{language_name(c, language)} ({c})") for c in codes))


def language_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a language"))] + list(_language_choices(translation.get_language() or "it"))


@lru_cache(maxsize=4)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(((c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries), key=lambda x: x[1])
    )


class MediatorForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Countries known"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Countries of origin or culture the mediator knows well. Hold Ctrl to choose several."),
    )

    class Meta:
        model = Mediator
        fields = ["provider", "districts", *PROFILE_FIELDS]
        widgets = {
            "districts": forms.CheckboxSelectMultiple,
            "coordinator_notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"districts": IdsModelMultipleChoiceField}
        # Italians write 21,50 €: decimals follow the user's language.
        localized_fields = ["hourly_rate", "travel_rate"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = visible(user, Provider).order_by("name")
        self.fields["districts"].queryset = visible(user, District).order_by("name")
        self.fields["countries"].choices = _country_choices(translation.get_language() or "it")
        if self.instance.pk:
            self.initial["countries"] = [c.code for c in self.instance.countries.all()]
            visible_ids = set(self.fields["districts"].queryset.values_list("pk", flat=True))
            self.initial["districts"] = [d.pk for d in self.instance.districts.all() if d.pk in visible_ids]

    def validate_unique(self):
        # The e-mail's uniqueness is checked by the service, with a message of its own.
        pass


class LanguageForm(forms.Form):
    code = forms.ChoiceField(label=_("Language"), validators=[validate_language_code])
    variant = forms.CharField(label=_("Variant or dialect"), max_length=100, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=LanguageLevel.choices, initial=LanguageLevel.FLUENT)
    written_translation = forms.BooleanField(label=_("Also translates in writing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = language_choices()
        current = self.initial.get("code")
        if current and current not in dict(choices):
            choices.append((current, f"{language_name(current)} ({current})"))
        self.fields["code"].choices = choices


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["title", "body", "date", "hours"]
        localized_fields = ["hours"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["title", "issued_by", "issued_on", "expires_on"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The expiry cannot come before the issue date."))
        return cleaned


class ContactsForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class SlotForm(forms.ModelForm):
    class Meta:
        model = AvailabilitySlot
        fields = ["weekday", "start_time", "end_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end must come after the start."))
        return cleaned

    def validate_constraints(self, exclude=None):
        # Checked in clean() with a message on the right field; the row has no mediator yet.
        pass


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["start_date", "end_date", "reason"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The absence must end on or after its first day."))
        return cleaned

    def validate_constraints(self, exclude=None):
        pass


LanguageFormSet = formset_factory(LanguageForm, extra=1, can_delete=True, max_num=20, validate_max=True)
TrainingFormSet = formset_factory(TrainingForm, extra=1, can_delete=True, max_num=50, validate_max=True)
QualificationFormSet = formset_factory(QualificationForm, extra=1, can_delete=True, max_num=30, validate_max=True)
SlotFormSet = formset_factory(SlotForm, extra=2, can_delete=True, max_num=40, validate_max=True)
AbsenceFormSet = formset_factory(AbsenceForm, extra=1, can_delete=True, max_num=40, validate_max=True)


def filled_rows(formset) -> list[dict]:
    """The cleaned rows of a valid formset, without empty extra rows and rows marked for deletion."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
