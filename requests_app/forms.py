"""The request form of social workers: the request itself, its languages and its proposed times.

The forms only parse and check what a person typed, with a message on the field that is wrong; every write goes
through :mod:`requests_app.services`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from functools import lru_cache

import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Office
from mediators.forms import language_choices
from mediators.languages import VARIANT_WORDS
from mediators.models import Gender, country_name, language_name, validate_language_code

from .models import _EMAIL, _TAX_CODE, MediationRequest, Urgency
from .services import DRAFT_FIELDS

# How far ahead a proposed time may be: beyond it a date is almost certainly a typing slip (2205 for 2025).
SLOT_HORIZON_DAYS = 730
MAX_LANGUAGES = 10
MAX_SLOTS = 30
SEARCH_LIMIT = 20


# --- Languages and countries by name, in the user's language ---------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents, so that "ucraino" finds "Ucraìno" and "cote" finds "Côte d'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=4)
def _language_index(language: str) -> tuple[tuple[str, str, str, str, bool], ...]:
    """(code, name in ``language``, folded name, folded English name, common) of every living language."""
    common = {code for code, _label in language_choices()[1:]}
    index = []
    for record in pycountry.languages:
        if getattr(record, "type", "L") != "L":
            # Extinct, historical and constructed languages: nobody needs a mediator for them.
            continue
        code = record.alpha_3
        name = language_name(code, language)
        index.append((code, name, _fold(name), _fold(record.name), code in common))
    return tuple(index)


def search_languages(query: str, *, limit: int = SEARCH_LIMIT) -> list[tuple[str, str]]:
    """Languages whose name (in the user's language, or in English) or ISO code matches ``query``, best first:
    the code itself, then the languages of the menu, then the others; within each, names starting with the words
    typed before names containing them. Returns (code, "Arabo (ara)") pairs."""
    folded = _fold(" ".join(query.split()))[:50]
    if not folded:
        return []
    ranked = []
    for code, name, local, english, common in _language_index(translation.get_language() or "it"):
        if folded == code or (len(folded) == 2 and folded == _alpha_2(code)):
            rank = 0
        elif local == folded:
            rank = 1
        elif local.startswith(folded):
            rank = 2
        elif re.search(rf"\b{re.escape(folded)}", local):
            rank = 3
        elif folded in local:
            rank = 4
        elif english.startswith(folded) or re.search(rf"\b{re.escape(folded)}", english):
            rank = 5
        elif _called(code, folded):
            rank = 6  # "Darija", "farsi": the word people use for the language, as written beside a variant
        else:
            continue
        # The code itself first; then the languages of the menu, then the thousands of others, best match first.
        ranked.append((rank > 0, not common, rank, local, code, name))
    ranked.sort()
    return [(code, f"{name} ({code})") for *_key, code, name in ranked[:limit]]


def _called(code: str, folded: str) -> bool:
    """True when ``folded`` (three letters at least) begins a word people use for ``code`` ("darij" for ``ary``), or
    starts with one ("darija marocchina")."""
    return len(folded) >= 3 and any(
        word.startswith(folded) or (len(word) >= 4 and folded.startswith(word)) for word in VARIANT_WORDS.get(code, ())
    )


@lru_cache(maxsize=1)
def _alpha_2_codes() -> dict[str, str]:
    return {record.alpha_3: record.alpha_2 for record in pycountry.languages if hasattr(record, "alpha_2")}


def _alpha_2(code: str) -> str:
    return _alpha_2_codes().get(code, "")


@lru_cache(maxsize=4)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    return tuple(sorted(pairs, key=lambda pair: _fold(pair[1])))


def country_choices() -> tuple[tuple[str, str], ...]:
    return _country_choices(translation.get_language() or "it")


# --- The request ------------------------------------------------------------------------------------------------------


def _no_identity(value: str) -> None:
    """Free text must not carry a family's identity: a tax code or an e-mail address is refused."""
    if _TAX_CODE.search(re.sub(r"[\s.-]", "", value)):
        raise ValidationError(
            _("This text contains what looks like a tax code (codice fiscale): remove it."), code="tax_code"
        )
    if _EMAIL.search(value):
        raise ValidationError(_("This text contains an e-mail address: remove it."), code="email")


class RequestForm(forms.ModelForm):
    """The request's own fields. The office is the social worker's; administrators choose it."""

    office = forms.ModelChoiceField(label=_("Requesting office"), queryset=Office.objects.none())
    countries = forms.MultipleChoiceField(
        label=_("Countries of origin"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )

    class Meta:
        model = MediationRequest
        # The fields a draft keeps: one list, shared with requests_app.services.request_save_draft.
        fields = DRAFT_FIELDS
        widgets = {
            "case_code": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "TM-2025-014", "maxlength": 30}),
            "urgency": forms.RadioSelect,
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "goal": forms.Textarea(attrs={"rows": 4}),
            "sensitive_notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "deadline": _("Needed for an urgent request: the last day the mediation is useful."),
            "goal": _("What the mediation should achieve, e.g. explain the care plan to the parents."),
        }

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offices is None:
            # A social worker files for their own office: it is shown, not chosen.
            del self.fields["office"]
        else:
            self.fields["office"].queryset = offices
        self.fields["countries"].choices = country_choices()
        self.fields["preferred_gender"].choices = [("", _("No preference"))] + [
            choice for choice in Gender.choices if choice[0] != Gender.OTHER
        ]
        self.fields["preferred_gender"].help_text = _("Only if it matters for the family or the setting.")
        self.fields["urgency"].choices = Urgency.choices
        for name in ("service_kind", "setting"):
            self.fields[name].choices = [("", _("Choose…"))] + list(self.fields[name].choices)[1:]
        if "office" in self.fields:
            self.fields["office"].empty_label = _("Choose the office")
        # The model's limits, checked here too so that the message names the limit and the browser knows it.
        limits = {"adults": (0, 30), "minors": (0, 30), "expected_sessions": (1, 100), "session_minutes": (15, 480)}
        for name, (low, high) in limits.items():
            model_field = self.fields[name]
            self.fields[name] = forms.IntegerField(
                label=model_field.label,
                initial=model_field.initial,
                help_text=model_field.help_text,
                min_value=low,
                max_value=high,
            )
        self.fields["session_minutes"].widget.attrs["step"] = 5
        self.fields["goal"].validators.append(_no_identity)
        self.fields["sensitive_notes"].validators.append(_no_identity)

    def clean_case_code(self) -> str:
        return self.cleaned_data["case_code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        urgency, deadline = cleaned.get("urgency"), cleaned.get("deadline")
        if urgency == Urgency.URGENT:
            if deadline is None and "deadline" not in self.errors:
                self.add_error("deadline", _("An urgent request needs the date it is needed by."))
            elif deadline is not None and deadline < timezone.localdate():
                self.add_error("deadline", _("The date the request is needed by is already past."))
        elif urgency:
            cleaned["deadline"] = None
        adults, minors = cleaned.get("adults"), cleaned.get("minors")
        if adults == 0 and minors == 0:
            self.add_error("adults", _("Count at least one person in the household."))
        return cleaned


# --- Languages --------------------------------------------------------------------------------------------------------


class RequestLanguageForm(forms.Form):
    """One language of the request: the menu of common languages, or any ISO 639-3 code found by the search."""

    code = forms.CharField(label=_("Language"), required=False, widget=forms.Select)
    variant = forms.CharField(
        label=_("Variant or dialect"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Moroccan Darija")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = language_choices()
        known = {code for code, _label in choices}
        current = (self.data.get(self.add_prefix("code")) if self.is_bound else self.initial.get("code")) or ""
        current = str(current).strip().lower()
        if current and current not in known and pycountry.languages.get(alpha_3=current) is not None:
            # A language found by the search that is not in the menu: offer it, chosen.
            choices.insert(1, (current, f"{language_name(current)} ({current})"))
        self.fields["code"].widget.choices = choices

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip().lower()
        if code:
            # The message repeats what was sent: a short piece of it is enough.
            validate_language_code(code[:12])
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("variant") and not cleaned.get("code") and "code" not in self.errors:
            self.add_error("code", _("Choose the language of this variant."))
        return cleaned


class BaseLanguageFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            key = (form.cleaned_data.get("code"), (form.cleaned_data.get("variant") or "").strip().casefold())
            if not key[0]:
                continue
            if key in seen:
                form.add_error("code", _("This language is already in the list."))
            seen.add(key)

    def rows(self) -> list[dict]:
        """The languages chosen, without empty rows and rows marked for removal."""
        return [
            {"code": form.cleaned_data["code"], "variant": (form.cleaned_data.get("variant") or "").strip()}
            for form in self.forms
            if form.cleaned_data.get("code") and not (self.can_delete and self._should_delete_form(form))
        ]


RequestLanguageFormSet = formset_factory(
    RequestLanguageForm,
    formset=BaseLanguageFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_LANGUAGES,
    validate_max=True,
)


# --- Proposed times ---------------------------------------------------------------------------------------------------


class SlotForm(forms.Form):
    """A proposed time: a day and a span, in Europe/Rome local time; stored as aware datetimes (UTC)."""

    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(
        label=pgettext_lazy("time of day", "From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=pgettext_lazy("time of day", "To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start"), cleaned.get("end")
        if day is None or start is None or end is None:
            return cleaned
        if end <= start:
            self.add_error("end", _("The end must come after the start."))
            return cleaned
        starts_at = timezone.make_aware(datetime.combine(day, start))
        ends_at = timezone.make_aware(datetime.combine(day, end))
        now = timezone.now()
        if starts_at <= now:
            self.add_error("date", _("This time is already past: propose a time in the future."))
        elif starts_at > now + timedelta(days=SLOT_HORIZON_DAYS):
            self.add_error("date", _("Propose a time within the next two years."))
        else:
            cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        return cleaned


class BaseSlotFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            span = (form.cleaned_data.get("starts_at"), form.cleaned_data.get("ends_at"))
            if span[0] is None or (self.can_delete and self._should_delete_form(form)):
                continue
            if span in seen:
                form.add_error("date", _("This time is already proposed."))
            seen.add(span)

    def spans(self) -> list[tuple[datetime, datetime]]:
        return sorted(
            (form.cleaned_data["starts_at"], form.cleaned_data["ends_at"])
            for form in self.forms
            if form.cleaned_data.get("starts_at") and not (self.can_delete and self._should_delete_form(form))
        )


SlotFormSet = formset_factory(
    SlotForm, formset=BaseSlotFormSet, extra=1, can_delete=True, max_num=MAX_SLOTS, validate_max=True
)
