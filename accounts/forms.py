from allauth.account.forms import ResetPasswordKeyForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.fields import IdsModelMultipleChoiceField

from . import scoping
from .models import District, Funder, Office, Provider, Province, Role
from .services import email_address_verify, grantable_roles


class InvitationForm(forms.Form):
    """Who to invite and to which role. The service re-checks every choice against the inviter's scope."""

    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="it")
    role = forms.ChoiceField(label=_("Role"))
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    provider = forms.ModelChoiceField(label=_("Mediator provider"), queryset=Provider.objects.none(), required=False)
    districts = IdsModelMultipleChoiceField(
        label=_("Districts the mediator works in"),
        queryset=District.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False)
    funder = forms.ModelChoiceField(label=_("Funder"), queryset=Funder.objects.none(), required=False)

    def __init__(self, *args, actor: scoping.Actor, **kwargs):
        super().__init__(*args, **kwargs)
        user = actor.user
        roles = grantable_roles(actor=actor)
        self.fields["role"].choices = [("", _("Choose a role"))] + [(r, Role(r).label) for r in roles]
        self.fields["office"].queryset = (
            scoping.visible(user, Office).select_related("district").order_by("district__name", "name")
        )
        self.fields["office"].label_from_instance = lambda o: f"{o.name} ({o.district.name})"
        self.fields["district"].queryset = scoping.visible(user, District).order_by("name")
        mediator_districts = scoping.visible(user, District)
        if actor.role == Role.COORDINATOR:
            mediator_districts = mediator_districts.filter(pk__in=actor.district_ids)
        self.fields["districts"].queryset = mediator_districts.order_by("name")
        self.fields["provider"].queryset = scoping.visible(user, Provider).order_by("name")
        self.fields["province"].queryset = scoping.visible(user, Province).order_by("name")
        self.fields["funder"].queryset = scoping.visible(user, Funder).order_by("name")
        # Show only the organisation fields of the roles this inviter may grant.
        needed = {
            Role.SOCIAL_WORKER: ["office"],
            Role.COORDINATOR: ["district"],
            Role.MEDIATOR: ["provider", "districts"],
            Role.PROVINCE_STAFF: ["province"],
            Role.FUNDER_VIEWER: ["funder"],
        }
        used = {name for role in roles for name in needed.get(role, [])}
        for name in ("office", "district", "provider", "districts", "province", "funder"):
            if name not in used:
                del self.fields[name]
            else:
                # Read by static/js/portal.js, which shows the field only for these roles.
                self.fields[name].roles = " ".join(role for role in roles if name in needed.get(role, []))


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only numbers, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords are different."))
        return cleaned


class PasswordResetFromKeyForm(ResetPasswordKeyForm):
    """allauth's new-password form of the reset link (settings.ACCOUNT_FORMS): the link came by e-mail, so setting
    the password through it proves the address."""

    def save(self) -> None:
        super().save()
        email_address_verify(user=self.user)
