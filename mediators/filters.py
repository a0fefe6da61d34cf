from functools import lru_cache

import django_filters
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from accounts.scoping import visible

from . import selectors
from .languages import macrolanguage_of, sorted_by_name
from .models import Gender, Mediator, Mode, Setting, language_name

# The roster's orders, as keyset keys (core.pagination) and whether they run from the largest; the pages and the
# exports use the same order, and the primary key after the keys keeps it stable.
ORDERS = {
    "name": (["last_name", "first_name"], False),
    "-name": (["last_name", "first_name"], True),
    "provider": (["provider__name", "last_name", "first_name"], False),
    "-provider": (["provider__name", "last_name", "first_name"], True),
    "updated": (["updated_at"], False),
    "-updated": (["updated_at"], True),
}


@lru_cache(maxsize=256)
def _language_choices(codes: frozenset[str], language: str | None) -> tuple[tuple[str, str], ...]:
    """The language menu of the roster's filters for the languages spoken in a scope, in the interface's language:
    the same few sets come back on every page (a name and a sort key for each of about seventy languages)."""
    # The macrolanguage of every language spoken is offered too: "Arabic" finds the Levantine Arabic speakers.
    codes = codes | {macro for macro in map(macrolanguage_of, codes) if macro}
    return tuple(sorted_by_name((code, language_name(code, language)) for code in codes))


class RosterFilter(django_filters.FilterSet):
    """The roster's filters. Language and variant are matched on the same language row."""

    q = django_filters.CharFilter(label=_("Name or e-mail"), method="filter_text")
    language = django_filters.ChoiceFilter(label=_("Language"), method="filter_language", empty_label=_("Any language"))
    variant = django_filters.CharFilter(label=_("Variant or dialect"), method="filter_language")
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.none(), method="filter_district", empty_label=_("Any district")
    )
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices, empty_label=_("Any"))
    setting = django_filters.ChoiceFilter(
        label=_("Experience in"), choices=Setting.choices, method="filter_setting", empty_label=_("Any setting")
    )
    mode = django_filters.ChoiceFilter(
        label=_("Mode"), choices=Mode.choices, method="filter_mode", empty_label=_("Any")
    )
    active = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[("yes", _("Active")), ("no", _("Not active"))],
        method="filter_active",
        empty_label=_("Active and not active"),
    )
    available_on = django_filters.DateFilter(
        label=_("Available on"), method="filter_available", widget=forms.DateInput(attrs={"type": "date"})
    )
    # django-filter reads the ascending labels by model field and the descending ones by "-" + parameter, and builds
    # "(descending)" once, at import, in whatever language was active then: every label is given here, lazily.
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[("last_name", "name"), ("provider__name", "provider"), ("updated_at", "updated")],
        field_labels={
            "last_name": _("Name, A to Z"),
            "-name": _("Name, Z to A"),
            "provider__name": _("Provider, A to Z"),
            "-provider": _("Provider, Z to A"),
            "updated_at": _("Last change, oldest first"),
            "-updated": _("Last change, newest first"),
        },
        empty_label=None,
    )

    class Meta:
        model = Mediator
        fields: list[str] = []

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["district"].queryset = visible(user, District).order_by("name")
        codes = frozenset(selectors.language_codes_in_roster(user=user))
        self.filters["language"].extra["choices"] = list(_language_choices(codes, get_language()))

    def filter_queryset(self, queryset):
        # Language and variant together: one Exists over the same row, applied once.
        data = self.form.cleaned_data
        queryset = selectors.mediators_speaking(
            queryset, code=data.get("language") or "", variant=data.get("variant") or ""
        )
        for name, value in data.items():
            if name in ("language", "variant", "ordering"):
                continue
            queryset = self.filters[name].filter(queryset, value)
        # A stable order, so that pages never repeat or skip a mediator.
        keys, descending = self.order()
        return queryset.order_by(*(f"-{key}" if descending else key for key in [*keys, "pk"]))

    def order(self) -> tuple[list[str], bool]:
        """The chosen order (by name unless another was chosen and is valid)."""
        chosen = (self.form.cleaned_data.get("ordering") if self.is_bound and self.is_valid() else None) or ["name"]
        return ORDERS.get(chosen[0], ORDERS["name"])

    def filter_language(self, queryset, name, value):  # handled in filter_queryset
        return queryset

    def filter_text(self, queryset, name, value):
        return selectors.search_text(queryset, value)

    def filter_district(self, queryset, name, value):
        return selectors.serving_district(queryset, value) if value else queryset

    def filter_setting(self, queryset, name, value):
        return queryset.filter(**{f"exp_{value}": True}) if value else queryset

    def filter_mode(self, queryset, name, value):
        return queryset.filter(**{f"mode_{value}": True}) if value else queryset

    def filter_active(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(is_active=True)
        if value == "no":
            return queryset.filter(is_active=False)
        return queryset

    def filter_available(self, queryset, name, value):
        return selectors.available_on(queryset, value) if value else queryset
