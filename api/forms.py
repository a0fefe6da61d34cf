from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Funder, Membership, Office, Province, Role
from accounts.scoping import actor_for, visible

from .services import MAX_DAYS, TOKEN_ROLES


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("Which system will use it, e.g. Cartella sociale Comune di Crema")
    )
    role = forms.ChoiceField(label=_("Acts as"))
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False)
    funder = forms.ModelChoiceField(label=_("Funder"), queryset=Funder.objects.none(), required=False)
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=Membership.objects.none(), required=False)
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=365, help_text=_("At most two years.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        actor = actor_for(user)
        roles = [(value, label) for value, label in Role.choices if value in TOKEN_ROLES]
        if not actor.is_admin:
            roles = [(value, label) for value, label in roles if value != Role.FUNDER_VIEWER]
            del self.fields["funder"]
        else:
            self.fields["funder"].queryset = Funder.objects.order_by("name")
        self.fields["role"].choices = [("", _("Choose…"))] + roles
        self.fields["office"].queryset = (
            visible(user, Office).select_related("district").order_by("district__name", "name")
        )
        self.fields["district"].queryset = visible(user, District).order_by("name")
        self.fields["province"].queryset = visible(user, Province).order_by("name")
        self.fields["mediator"].queryset = (
            Membership.objects.filter(role=Role.MEDIATOR, is_active=True, user__is_active=True)
            .filter(**({} if actor.is_admin else {"provider__province_id__in": actor.province_ids}))
            .select_related("user", "provider")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["mediator"].label_from_instance = lambda m: f"{m.user} · {m.provider}"
        self.fields["office"].label_from_instance = lambda o: f"{o.name} ({o.district.name})"
