"""The session report form and the evaluation form: they parse what a person typed, with a message on the field that
is wrong; the rules of the domain and every write are in :mod:`sessions_app.services`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediators.models import Mode, language_name
from scheduling.models import Appointment

from .models import EvaluationCriterion, SessionReport

ROME = ZoneInfo("Europe/Rome")


class EuroField(forms.DecimalField):
    """A decimal typed the Italian way or the English way: ``12,50`` and ``12.50`` are the same amount."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("€", "")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        if value in self.empty_values:
            return None
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    # A text box: a number box refuses the comma that Italian keyboards type.
    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {"inputmode": "decimal"}


def _number(label, *, maximum, minimum=0, help_text=""):
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": minimum, "max": maximum}),
    )


class SessionReportForm(forms.Form):
    # The browser's date and time boxes read and write ISO values, whatever the language of the page.
    date = forms.DateField(
        label=_("Day of the session"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    start = forms.TimeField(label=_("Actual start"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    end = forms.TimeField(label=_("Actual end"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    # Large buttons on the form (templates/sessions_app/form.html): one tap on a phone.
    outcome = forms.ChoiceField(
        label=_("What happened"), choices=SessionReport.Outcome.choices, widget=forms.RadioSelect
    )
    outcome_reason = forms.CharField(
        label=_("Say what happened"),
        max_length=300,
        required=False,
        help_text=_("Required unless the session was held: who did not come, what was left out, why it was cancelled."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    adults_present = _number(_("Adults of the family present"), maximum=30)
    minors_present = _number(_("Minors present"), maximum=30)
    operators_present = _number(
        _("Operators present"), maximum=30, help_text=_("Social workers, educators, teachers… not counting you.")
    )
    language = forms.ChoiceField(label=_("Language used"), required=False)
    language_variant = forms.CharField(label=_("Variant or dialect"), max_length=100, required=False)
    travel_km = EuroField(
        label=_("Travel (km)"), min_value=0, max_value=2000, max_digits=6, decimal_places=1, required=False
    )
    travel_minutes = _number(_("Travel time (minutes)"), maximum=1440)
    expenses = EuroField(
        label=_("Expenses (euro)"), min_value=0, max_value=10000, max_digits=8, decimal_places=2, required=False
    )
    expenses_note = forms.CharField(label=_("What the expenses were"), max_length=200, required=False)
    sensitive_notes = forms.CharField(
        label=_("Sensitive notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Read only by the requesting office and by you. Never in reports or exports."),
    )

    def __init__(self, *args, appointment: Appointment, report: SessionReport | None, show_notes: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment
        codes = [language.code for language in appointment.request.languages.all()]
        codes += [language.code for language in appointment.mediator.languages.all()]
        codes.append("ita")
        if report is not None and report.language:
            codes.append(report.language)
        seen = list(dict.fromkeys(codes))
        self.fields["language"].choices = [("", _("Choose…"))] + [(code, language_name(code)) for code in seen]
        if not show_notes:
            # A coordinator writing on the mediator's behalf neither reads nor overwrites the notes.
            del self.fields["sensitive_notes"]
        if not self.is_bound:
            self.initial = self._initial(appointment, report, codes)

    @staticmethod
    def _initial(appointment: Appointment, report: SessionReport | None, codes: list[str]) -> dict:
        if report is not None:
            start, end = timezone.localtime(report.started_at, ROME), timezone.localtime(report.ended_at, ROME)
            values = {name: getattr(report, name) for name in _COPIED}
        else:
            start, end = timezone.localtime(appointment.starts_at, ROME), timezone.localtime(appointment.ends_at, ROME)
            request = appointment.request
            variant = next((x.variant for x in request.languages.all()), "")
            values = {
                "mode": appointment.mode,
                "outcome": SessionReport.Outcome.HELD,
                "adults_present": request.adults,
                "minors_present": request.minors,
                "operators_present": 1,
                "language": codes[0] if codes else "",
                "language_variant": variant,
                "travel_km": Decimal("0"),
                "travel_minutes": 0,
                "expenses": Decimal("0.00"),
            }
        return {"date": start.date(), "start": start.time(), "end": end.time(), **values}

    def clean(self):
        data = super().clean()
        if {"date", "start", "end"} <= data.keys():
            started = datetime.combine(data["date"], data["start"], tzinfo=ROME)
            ended = datetime.combine(data["date"], data["end"], tzinfo=ROME)
            if ended <= started:
                self.add_error("end", _("The session must end after it starts."))
            data["started_at"], data["ended_at"] = started, ended
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in _COPIED if name in self.fields}
        fields["travel_km"] = data.get("travel_km") or Decimal("0")
        fields["expenses"] = data.get("expenses") or Decimal("0")
        fields["started_at"], fields["ended_at"] = data["started_at"], data["ended_at"]
        return fields


_COPIED = [
    "mode",
    "outcome",
    "outcome_reason",
    "adults_present",
    "minors_present",
    "operators_present",
    "language",
    "language_variant",
    "travel_km",
    "travel_minutes",
    "expenses",
    "expenses_note",
    "sensitive_notes",
]

# The service's names of the times, shown on the form's fields.
FIELD_OF = {"started_at": "start", "ended_at": "end"}


def evaluation_scores(data, criteria: list[EvaluationCriterion]) -> dict[int, tuple[str, str]]:
    """The score (as typed: the service checks it) and the comment of each criterion, from the posted form."""
    return {
        criterion.pk: (data.get(f"score_{criterion.pk}", ""), data.get(f"comment_{criterion.pk}", ""))
        for criterion in criteria
    }
