from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Module, Nomination


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CourseForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    targets = forms.MultipleChoiceField(
        label=_("For"), choices=Nomination.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    places_per_district = forms.IntegerField(label=_("Places per district"), min_value=1, max_value=500, initial=10)
    threshold_percent = forms.IntegerField(
        label=_("Attendance needed for the certificate (%)"), min_value=1, max_value=100, initial=75
    )
    signed_by = forms.CharField(label=_("Certificate signed by"), max_length=200, required=False)
    modules = forms.CharField(
        label=_("Modules, one per line"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, provinces, **kwargs):
        """``provinces``: where the user may create a course; the choice is shown only when there are several (an
        administrator)."""
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first()
            self.fields["province"].widget = forms.HiddenInput()


class SessionForm(forms.Form):
    module = forms.ModelChoiceField(label=_("Module"), queryset=Module.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocal())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeLocal())
    place = forms.CharField(label=_("Place"), max_length=250, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    trainer = forms.CharField(label=_("Trainer"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.5, max_value=24, decimal_places=1)

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = course.modules.all()


class ExternalForm(forms.Form):
    full_name = forms.CharField(label=_("Name and surname"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
