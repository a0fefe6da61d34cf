import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or e-mail"), method="filter_text")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("All roles"))
    is_active = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[("yes", _("Active")), ("no", _("Ended"))],
        method="filter_active",
        empty_label=_("Active and ended"),
    )

    class Meta:
        model = Membership
        fields = ["q", "role", "is_active"]

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes") if value else queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(user__email__icontains=value) | Q(user__first_name__icontains=value) | Q(user__last_name__icontains=value)
        )
