"""Filing a request through the API with the web form's own checks: the JSON becomes the form's data (the request
form, its languages and its proposed times), so a system reads the same messages a social worker reads, in the
language of its Accept-Language header, under the same field names (``languages[0].code``, ``slots[1].date``)."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from accounts.scoping import Actor
from core.errors import DomainError, NotAllowed
from requests_app import services
from requests_app.forms import RequestForm, RequestLanguageFormSet, SlotFormSet
from requests_app.models import MediationRequest
from requests_app.services import DRAFT_FIELDS

from .errors import Invalid


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _form_data(data: dict) -> QueryDict:
    values: dict[str, list[str]] = {name: [_text(data.get(name))] for name in DRAFT_FIELDS}
    values["countries"] = [str(code).upper() for code in data.get("countries", [])]
    languages, slots = data.get("languages", []), data.get("slots", [])
    for prefix, rows in (("languages", languages), ("slots", slots)):
        values.update(
            {
                f"{prefix}-TOTAL_FORMS": [str(len(rows))],
                f"{prefix}-INITIAL_FORMS": ["0"],
                f"{prefix}-MIN_NUM_FORMS": ["0"],
                f"{prefix}-MAX_NUM_FORMS": ["1000"],
            }
        )
    for index, row in enumerate(languages):
        values[f"languages-{index}-code"] = [row.get("code", "")]
        values[f"languages-{index}-variant"] = [row.get("variant", "")]
    for index, row in enumerate(slots):
        for name in ("date", "start", "end"):
            values[f"slots-{index}-{name}"] = [_text(row.get(name))]
    query = QueryDict(mutable=True)
    query.update(MultiValueDict(values))
    return query


def _errors(form, languages, slots) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        fields.setdefault("non_field_errors" if name == "__all__" else name, []).extend(messages)
    for prefix, formset in (("languages", languages), ("slots", slots)):
        for index, errors in enumerate(formset.errors):
            for name, messages in errors.items():
                key = f"{prefix}[{index}]" if name == "__all__" else f"{prefix}[{index}].{name}"
                fields.setdefault(key, []).extend(messages)
        if formset.non_form_errors():
            fields.setdefault(prefix, []).extend(formset.non_form_errors())
    return fields


def save_draft(*, actor: Actor, data: dict, request_obj: MediationRequest | None = None) -> MediationRequest:
    """Create (or change) a draft from the API's JSON, and submit it when ``data["submit"]``: one transaction."""
    query = _form_data(data)
    form = RequestForm(query, instance=MediationRequest())
    languages = RequestLanguageFormSet(query, prefix="languages")
    slots = SlotFormSet(query, prefix="slots")
    if not (form.is_valid() & languages.is_valid() & slots.is_valid()):
        raise Invalid(_("The request was not saved: see fields."), _errors(form, languages, slots))
    office = request_obj.office if request_obj is not None else actor.membership.office
    try:
        with transaction.atomic():
            saved = services.request_save_draft(
                actor=actor,
                office=office,
                fields=form.cleaned_data,
                languages=languages.rows(),
                countries=form.cleaned_data["countries"],
                slots=slots.spans(),
                request=request_obj,
            )
            if data.get("submit"):
                services.request_submit(actor=actor, request=saved)
    except NotAllowed:
        raise
    except DomainError as exc:
        raise Invalid(exc.message, {exc.field or "non_field_errors": [exc.message]}) from None
    return saved
