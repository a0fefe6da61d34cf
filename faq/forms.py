"""Forms of the FAQ: a question (with the warning about families' data), an answer."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Province, Role, User
from accounts.scoping import visible

from .models import Category, Question
from .selectors import people_of


class AskForm(forms.Form):
    title = forms.CharField(
        label=_("Your question"),
        max_length=200,
        help_text=_("One sentence, e.g. “How do I request a mediator for a court hearing?”"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 200}),
    )
    body = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The situation in general terms: never names, tax codes, addresses, e-mails or phone numbers."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("I don't know")
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = visible(user, Province).order_by("name")
        self.fields["province"].queryset = provinces
        if len(provinces) == 1:
            self.fields["province"].initial = provinces[0].pk
            self.fields["province"].widget = forms.HiddenInput()


class AnswerForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        help_text=_(
            "Markdown: **bold**, *italic*, lists with “-”, links [text](https://…). Another answer: [text](faq:12); "
            "an entry of the guide: [text](guida:its-code)."
        ),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas: tribunale, udienza")
    )
    owner = forms.ModelChoiceField(
        label=_("Owner of the answer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
        help_text=_("Who keeps it true: they are asked to review it after a year."),
    )

    def __init__(self, *args, question: Question, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "title": question.title,
                "answer": question.answer,
                "category": question.category_id,
                "tags": question.tag_names,
                "owner": question.owner_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.filter(
                Q(
                    memberships__role=Role.PROVINCE_STAFF,
                    memberships__province_id=question.province_id,
                    memberships__is_active=True,
                )
                | Q(faq_expertises__province_id=question.province_id)
            )
            .distinct()
            .order_by("last_name", "first_name", "email")
        )


class ExpertForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none())
    topic = forms.CharField(
        label=_("What they answer about"), max_length=200, required=False, help_text=_("e.g. Tutela minori e tribunale")
    )

    def __init__(self, *args, user, people, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = visible(user, Province).order_by("name")
        self.fields["province"].queryset = provinces
        if len(provinces) == 1:
            self.fields["province"].initial = provinces[0].pk
            self.fields["province"].widget = forms.HiddenInput()
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda person: (
            f"{person.get_full_name() or person.email} ({person.email})"
        )

    def clean(self):
        data = super().clean()
        person, province = data.get("user"), data.get("province")
        if person and province and not people_of([province.pk]).filter(pk=person.pk).exists():
            self.add_error("user", _("This person does not work in the province."))
        return data
