"""Forms of the mini-guide: an entry on one page (contacts, hours and languages as short lines), a translation
task, the datapackage upload."""

from __future__ import annotations

import re
from datetime import time

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from accounts.scoping import visible
from mediators.models import Mediator

from .models import GuideLanguage, Service, ServiceAtLocation, TaxonomyTerm
from .services import SERVICE_FIELDS, entry_state

# "lun,mer 09:00-12:30 solo su appuntamento" or "MO,WE 9-12.30": Italian or RFC 5545 days, then hours.
ITALIAN_DAYS = {"lun": "MO", "mar": "TU", "mer": "WE", "gio": "TH", "ven": "FR", "sab": "SA", "dom": "SU"}
DAY_NAMES = {v: k for k, v in ITALIAN_DAYS.items()}
SCHEDULE_LINE = re.compile(
    r"^(?P<days>[A-Za-z, ]+?)\s+(?P<oh>\d{1,2})(?:[:.](?P<om>\d{2}))?\s*[-–]\s*(?P<ch>\d{1,2})(?:[:.](?P<cm>\d{2}))?"
    r"\s*(?P<note>.*)$"
)


def _time(hours: str, minutes: str | None) -> time:
    return time(int(hours), int(minutes or 0))


def parse_schedule_lines(text: str) -> list[dict]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = SCHEDULE_LINE.match(line)
        if not match:
            raise forms.ValidationError(
                _("Line %(line)s: write the days and the hours, e.g. “lun,mer 9:00-12:30”."), params={"line": number}
            )
        days = [d.strip() for d in match["days"].replace(" ", ",").split(",") if d.strip()]
        codes = [ITALIAN_DAYS.get(d.lower()[:3], d.upper()) for d in days]
        try:
            opens, closes = _time(match["oh"], match["om"]), _time(match["ch"], match["cm"])
        except ValueError:
            raise forms.ValidationError(_("Line %(line)s: the hours are not valid."), params={"line": number}) from None
        rows.append({"byday": ",".join(codes), "opens_at": opens, "closes_at": closes, "description": match["note"]})
    return rows


def schedule_lines(schedules: list) -> str:
    return "\n".join(
        f"{','.join(DAY_NAMES.get(d, d) for d in byday.split(','))} {opens}-{closes} {note}".strip()
        for byday, opens, closes, note in schedules
    )


class EntryForm(forms.Form):
    organization = forms.CharField(label=_("Organisation"), max_length=200, help_text=_("e.g. ASST di Cremona"))
    name = forms.CharField(label=_("Name of the service"), max_length=200)
    alternate_name = forms.CharField(label=_("Other name"), max_length=200, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=TaxonomyTerm.objects.all())
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, empty_label=_("The whole province")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    fees_description = forms.CharField(label=_("Costs"), max_length=500, required=False)
    eligibility_description = forms.CharField(label=_("Who can go"), max_length=500, required=False)
    application_process = forms.CharField(label=_("How to access"), max_length=500, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Service.Status.choices, initial=Service.Status.ACTIVE)
    address_1 = forms.CharField(label=_("Address"), max_length=200)
    city = forms.CharField(label=_("Municipality"), max_length=100)
    postal_code = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    state_province = forms.CharField(label=_("Province (abbreviation)"), max_length=2, required=False)
    accessibility = forms.CharField(label=_("Accessibility"), max_length=500, required=False)
    transportation = forms.CharField(label=_("How to get there"), max_length=200, required=False)
    # Optional: with both, the entry shows on the public guide's map.
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90,
        help_text=_("Degrees, e.g. 45.1336: the entry shows on the map"),
    )  # fmt: skip
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180,
        help_text=_("Degrees, e.g. 10.0227"),
    )  # fmt: skip
    email = forms.EmailField(label=_("E-mail address"), required=False)
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line; a note after a “|”: 0372 555 0101 | prenotazioni"),
    )
    schedules = forms.CharField(
        label=_("Opening hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: lun,mer,ven 9:00-12:30 (days: lun mar mer gio ven sab dom)"),
    )
    languages = forms.CharField(
        label=_("Languages spoken"), required=False, help_text=_("ISO 639-3 codes separated by commas: ita, eng, ara")
    )
    assured_date = forms.DateField(label=_("Last checked on"), required=False)

    def __init__(self, *args, user, entry: ServiceAtLocation | None = None, **kwargs):
        if entry is not None and "initial" not in kwargs:
            state = entry_state(entry)
            initial = {key: state[key] for key in [*SERVICE_FIELDS, "organization", "address_1", "city",
                                                  "postal_code", "state_province", "accessibility",
                                                  "transportation"]}  # fmt: skip
            initial["latitude"], initial["longitude"] = state["latitude"], state["longitude"]
            initial["category"] = entry.service.category_id
            initial["district"] = entry.district_id
            initial["assured_date"] = entry.assured_date
            initial["phones"] = "\n".join(" | ".join(filter(None, [p[0], p[2]])) for p in state["phones"])
            initial["schedules"] = schedule_lines(state["schedules"])
            initial["languages"] = ", ".join(state["languages"])
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = visible(user, District)

    def clean_phones(self):
        rows = []
        for line in self.cleaned_data["phones"].splitlines():
            number, _bar, note = line.partition("|")
            if number.strip():
                rows.append({"number": number.strip(), "description": note.strip()})
        return rows

    def clean_schedules(self):
        return parse_schedule_lines(self.cleaned_data["schedules"])

    def clean_languages(self):
        return [code.strip() for code in re.split(r"[,\s]+", self.cleaned_data["languages"]) if code.strip()]


class TaskForm(forms.Form):
    language = forms.ModelChoiceField(
        label=_("Language"), queryset=GuideLanguage.objects.filter(is_active=True), to_field_name="code"
    )
    translator = forms.ModelChoiceField(label=_("Mediator who translates"), queryset=Mediator.objects.none())
    reviewer = forms.ModelChoiceField(
        label=_("Second mediator who approves"),
        queryset=Mediator.objects.none(),
        required=False,
        empty_label=_("None: a coordinator approves"),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note for the mediator"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        mediators = visible(user, Mediator).filter(is_active=True, user__isnull=False).order_by("last_name")
        self.fields["translator"].queryset = mediators
        self.fields["reviewer"].queryset = mediators


class DatapackageForm(forms.Form):
    file = forms.FileField(label=_("Datapackage (.zip)"), help_text=_("A zip with datapackage.json and the CSV tables"))


class EditionForm(forms.Form):
    """Ask for a booklet: a district of one's own (or, for the province staff, the whole province) and a language."""

    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, empty_label=_("The whole province")
    )
    language = forms.ChoiceField(label=_("Language"))

    def __init__(self, *args, user, languages, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role
        from accounts.scoping import actor_for

        actor = actor_for(user)
        districts = District.objects.select_related("province").order_by("province__name", "name")
        if actor.has_role(Role.COORDINATOR):
            districts = districts.filter(pk__in=actor.district_ids)
            self.fields["district"].required = True
            self.fields["district"].empty_label = None
        elif not actor.is_admin:
            districts = districts.filter(province_id__in=actor.province_ids)
        self.fields["district"].queryset = districts
        self.fields["language"].choices = [(language.code, language.native_name) for language in languages]
