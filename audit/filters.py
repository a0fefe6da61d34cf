"""The filters of the audit page: who, what kind, period. A bad value (an impossible date, an unknown kind) is a
message above the list, never a 500."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

from .models import ReadEvent


class ReadEventFilter(django_filters.FilterSet):
    who = django_filters.CharFilter(
        label=_("Who (name or e-mail)"), method="filter_who", widget=forms.TextInput(attrs={"maxlength": 100})
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("Any role"))
    kind = django_filters.ChoiceFilter(label=_("What"), choices=ReadEvent.Kind.choices, empty_label=_("Anything"))
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("Until"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = ReadEvent
        fields: list[str] = []

    def filter_who(self, queryset, name, value):
        words = value.split()
        for word in words[:5]:
            queryset = queryset.filter(
                Q(user__email__icontains=word)
                | Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
            )
        return queryset
