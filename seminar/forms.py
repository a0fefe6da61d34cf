"""Forms of the public seminar: the event (province staff) and the public registration, with its checks against
automated sign-ups (seminar.guard)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import guard
from .models import Registration, Seminar

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SeminarForm(forms.ModelForm):
    class Meta:
        model = Seminar
        fields = [
            "title", "slug", "starts_at", "ends_at", "place", "address", "capacity", "programme", "speakers",
            "accessibility", "registration_open",
        ]  # fmt: skip
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "programme": forms.Textarea(attrs={"rows": 6}),
            "speakers": forms.Textarea(attrs={"rows": 4}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity < 1 or capacity > 5000:
            raise forms.ValidationError(_("Between 1 and 5,000 places."))
        return capacity


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Name and surname"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    organisation = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Registration.Role.choices, widget=forms.RadioSelect)
    role_other = forms.CharField(
        label=_("Which role?"), max_length=100, required=False, help_text=_("Only if you chose “Other”.")
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data are used to manage my registration."),
        error_messages={"required": _("Registration needs your agreement to the privacy notice.")},
    )
    # When the form was shown (signed): a robot sends it back within a second; a page left open for hours is stale.
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot: hidden from people (and from screen readers); a robot filling every field fills it.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(
                _("The registration could not be accepted. Leave the hidden “website” field empty and send it again."),
                code="honeypot",
            )
        age = guard.form_age(self.data.get("started", ""))
        if age is None:
            raise forms.ValidationError(
                _("This page was open too long. Reload it, fill in the form and send it again."), code="stale"
            )
        if age < settings.SEMINAR_FORM_MIN_SECONDS:
            raise forms.ValidationError(
                _("The form was sent too quickly. Check your details and send it again in a few seconds."),
                code="too_fast",
            )
        if data.get("role") == Registration.Role.OTHER and not (data.get("role_other") or "").strip():
            self.add_error("role_other", _("Say which role."))
        return data
