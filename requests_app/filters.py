"""The filters of the request lists (office, district queue, province overview).

Every choice comes from what the user may see; a value outside it (a foreign office, an unknown language, a
broken date) is a form error shown above the list, never a 500.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import District, Office, Role
from accounts.scoping import actor_for, visible
from mediators.languages import related_codes, sort_key, sorted_by_name
from mediators.models import language_name, validate_language_code

from . import selectors
from .models import OPEN_STATUSES, QUEUE_STATUSES, MediationRequest, RequestLanguage, Status

# Not statuses of their own: every request still waiting for something, and those the district still works on
# (from the decision to the sessions: the coordinators' default).
OPEN = "open"
QUEUE = "queue"


# The phases of the queue: what the district does next, in its own words (a phase may span two statuses).
PHASES = {
    "decide": (Status.SUBMITTED,),
    "match": (Status.MATCHING,),
    "plan": (Status.ASSIGNED,),
    "planned": (Status.SCHEDULED,),
    "close": (Status.COMPLETED, Status.EVALUATED),
}
PHASE_CHOICES = (
    ("decide", _("To decide")),
    ("match", pgettext_lazy("phase", "Looking for a mediator")),
    ("plan", _("To plan")),
    ("planned", pgettext_lazy("phase", "Planned")),
    ("close", _("To close")),
)


def _is_language_code(value: str) -> bool:
    try:
        validate_language_code(value)
    except ValidationError:
        return False
    return value == value.lower()


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Case code, office, language or mediator."),
        widget=forms.TextInput(attrs={"maxlength": 100}),
    )
    phase = django_filters.ChoiceFilter(
        label=_("Phase"), method="filter_phase", choices=PHASE_CHOICES, empty_label=_("Any phase")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), method="filter_status", empty_label=_("Any status"))
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        method="filter_language",
        empty_label=_("Any language"),
        error_messages={
            "invalid_choice": _("“%(value)s” is not a language code we know: choose a language from the list.")
        },
    )
    district = django_filters.ModelChoiceFilter(
        label=_("District"),
        queryset=District.objects.none(),
        field_name="office__district",
        empty_label=_("Any district"),
    )
    office = django_filters.ModelChoiceFilter(
        label=_("Office"), queryset=Office.objects.none(), empty_label=_("Any office")
    )
    date_from = django_filters.DateFilter(
        label=_("Submitted from"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("Submitted until"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = MediationRequest
        fields: list[str] = []

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        role = actor_for(user).role
        statuses = [(value, label) for value, label in Status.choices if value != Status.DRAFT]
        if role in (Role.SOCIAL_WORKER, Role.ADMINISTRATOR):
            # Only the office (and administrators) see drafts.
            statuses.insert(0, (Status.DRAFT.value, Status.DRAFT.label))
        self.filters["status"].extra["choices"] = [
            (QUEUE, _("In progress (to decide, match, plan or hold)")),
            (OPEN, _("Open (any step)")),
            *statuses,
        ]
        # The languages of the requests the user sees: the filter's choices, and what the search box matches.
        self._language_codes = selectors.language_codes_in_requests(user=user)
        codes = set(self._language_codes)
        typed = (self.data or {}).get("language")
        if isinstance(typed, str) and typed not in codes and _is_language_code(typed):
            # A code typed in the address that no request of the menu asks for yet: it is a language all the same
            # (its list is empty, or holds what a request filed since the menu was made asks for).
            codes.add(typed)
        self.filters["language"].extra["choices"] = sorted_by_name((code, language_name(code)) for code in codes)
        if role == Role.SOCIAL_WORKER:
            # The list is the office's own: nothing to choose between.
            del self.filters["office"]
        else:
            self.filters["office"].queryset = visible(user, Office).select_related("district").order_by("name")
        if role in (Role.PROVINCE_STAFF, Role.ADMINISTRATOR):
            self.filters["district"].queryset = visible(user, District).order_by("name")
        else:
            del self.filters["district"]
        if role == Role.SOCIAL_WORKER:
            # Drafts have no submission date: the office filters them by the day they were created.
            self.filters["date_from"].label = _("Submitted (or created) from")
            self.filters["date_to"].label = _("Submitted (or created) until")

    def filter_search(self, queryset, name, value):
        """One box for what a coordinator remembers: part of the case code, the office, a language (its name in
        Italian or English, its code, or the variant) or the assigned mediator's name (every word must match)."""
        value = " ".join(value.split())
        if not value:
            return queryset
        found = Q(case_code__icontains=value) | Q(office__name__icontains=value)
        codes = self._languages_named(value)
        languages = RequestLanguage.objects.filter(Q(code__in=codes) | Q(variant__icontains=value))
        found |= Q(pk__in=languages.values("request_id"))
        by_name = Q()
        for word in value.split():
            by_name &= Q(assigned_mediator__first_name__icontains=word) | Q(
                assigned_mediator__last_name__icontains=word
            )
        return queryset.filter(found | by_name)

    def _languages_named(self, value: str) -> list[str]:
        wanted = sort_key(value)
        codes = set()
        for code in self._language_codes:
            names = (language_name(code, "it"), language_name(code, "en"), language_name(code))
            if wanted == code or any(wanted in sort_key(name) for name in names):
                codes |= related_codes(code)
        return sorted(codes)

    def filter_phase(self, queryset, name, value):
        return queryset.filter(status__in=PHASES[value]) if value in PHASES else queryset

    def filter_status(self, queryset, name, value):
        if value == QUEUE:
            if self.form.cleaned_data.get("phase"):
                # The queue is the coordinators' default: a phase chosen with it ("To close") says what they want.
                return queryset
            return queryset.filter(status__in=QUEUE_STATUSES)
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset

    def filter_language(self, queryset, name, value):
        if not value:
            return queryset
        # A subquery, not a join: a request with two languages must not appear twice. A language also finds the
        # requests in its macrolanguage or, for a macrolanguage, in its individual languages (mediators.languages).
        codes = sorted(related_codes(value))
        return queryset.filter(pk__in=RequestLanguage.objects.filter(code__in=codes).values("request_id"))

    # A request's date is the day it was submitted; a draft's, the day it was created (in Europe/Rome).
    def filter_from(self, queryset, name, value):
        return queryset.filter(
            Q(submitted_at__date__gte=value) | Q(submitted_at__isnull=True, created_at__date__gte=value)
        )

    def filter_to(self, queryset, name, value):
        return queryset.filter(
            Q(submitted_at__date__lte=value) | Q(submitted_at__isnull=True, created_at__date__lte=value)
        )
