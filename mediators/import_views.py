"""Roster import from the web: upload a file, see a preview of every row, confirm. The work is in importing.py."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for
from core.errors import DomainError

from . import importing

SESSION_KEY = "mediators_import"
IMPORT_ROLES = (Role.COORDINATOR, Role.PROVINCE_STAFF)


_TOO_LARGE = gettext_lazy("The file is larger than 2 MB: split it into smaller files.")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy(
            "Excel .xlsx, or CSV (UTF-8 or Excel's Windows-1252, semicolon or comma), at most 2 MB. "
            "Column names in Italian or English."
        ),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if too_large:
            # mediazione.uploads skipped the file while it arrived (never stored): say why it is missing.
            self.fields["file"].error_messages["required"] = _TOO_LARGE

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = importing.extension_of(upload.name or "")
        if extension not in importing.EXTENSIONS:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        # The size comes from the request before reading: a large file is refused without loading it.
        if upload.size > importing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_TOO_LARGE)
        data = upload.read()
        try:
            self.rows = importing.parse_file(filename=upload.name, data=data)
        except importing.ImportErrors as exc:
            raise forms.ValidationError([error.message for error in exc.errors]) from None
        self.data_bytes, self.extension = data, extension
        return upload


def _render(request, *, form, plan=None, token=None, filename="", rows=None, status=200):
    return render(
        request,
        "mediators/import.html",
        {
            "form": form,
            "plan": plan,
            "token": token,
            "filename": filename,
            "notes": rows.notes if rows else [],
            "header_row": rows.header_row if rows else 1,
            "columns": _column_help(),
            "max_rows": importing.limit("ROWS"),
        },
        status=status,
    )


def _forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None) or {}
    if pending.get("token"):
        importing.upload_discard(token=pending["token"], extension=pending.get("extension", ""))


@role_required(*IMPORT_ROLES)
def import_upload(request):
    if request.method != "POST":
        return _render(request, form=ImportForm())
    form = ImportForm(request.POST, request.FILES, too_large=bool(getattr(request, "upload_too_large", None)))
    if not form.is_valid():
        return _render(request, form=form)
    try:
        plan = importing.mediators_import_plan(actor=actor_for(request.user), rows=form.rows)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render(request, form=form)
    filename = form.cleaned_data["file"].name[:120]
    if not plan.ok:
        return _render(request, form=ImportForm(), plan=plan, filename=filename, rows=form.rows)
    # A previous preview left in this session is replaced: only the latest one can be confirmed.
    _forget(request)
    token = importing.upload_store(data=form.data_bytes, extension=form.extension)
    request.session[SESSION_KEY] = {
        "token": token,
        "extension": form.extension,
        "filename": filename,
        "uploaded_at": timezone.now().isoformat(),
    }
    return _render(request, form=ImportForm(), plan=plan, token=token, filename=filename, rows=form.rows)


@role_required(*IMPORT_ROLES)
@require_POST
def import_confirm(request):
    pending = request.session.get(SESSION_KEY) or {}
    token, extension = pending.get("token", ""), pending.get("extension", "")
    if not token or request.POST.get("upload") != token or _expired(pending):
        # Another tab uploaded a newer file, the preview expired, or the form was tampered with.
        _forget(request)
        messages.error(request, _("This import is unknown or has expired: upload the file again."))
        return redirect("mediators:import")
    try:
        data = importing.upload_read(token=token, extension=extension)
        rows = importing.parse_file(filename=f"{token}.{extension}", data=data)
        result = importing.mediators_import(actor=actor_for(request.user), rows=rows)
    except importing.ImportErrors as exc:
        # The roster or the importer's area changed since the preview: show what is wrong now.
        _forget(request)
        plan = importing.ImportPlan(columns=[], rows=[], errors=exc.errors)
        return _render(request, form=ImportForm(), plan=plan, filename=pending.get("filename", ""))
    except DomainError as exc:
        _forget(request)
        messages.error(request, exc.message)
        return redirect("mediators:import")
    _forget(request)
    messages.success(
        request,
        _("Roster imported. Mediators created: %(created)d; updated: %(updated)d.")
        % {"created": result.created, "updated": result.updated},
    )
    return redirect("mediators:list")


def _expired(pending: dict) -> bool:
    try:
        uploaded_at = datetime.fromisoformat(pending.get("uploaded_at", ""))
    except (TypeError, ValueError):
        return True
    return timezone.now() - uploaded_at > importing.UPLOAD_MAX_AGE


def _column_help() -> list[tuple[str, str, bool, str]]:
    """(column, its Italian name, required, what to write) for the page's reminder of the format (the README has
    the full table)."""
    return [(name, importing.COLUMN_NAMES[name][0], required, text) for name, required, text in _column_texts()]


def _column_texts() -> list[tuple[str, bool, str]]:
    return [
        ("first_name", True, _("First name.")),
        ("last_name", True, _("Last name.")),
        ("email", True, _("E-mail address: importing the same address again updates that mediator.")),
        ("phone", False, _("Phone number.")),
        ("gender", True, _("femmina, maschio or altro (also female, male, other, F, M).")),
        ("provider", True, _("Name of a mediator provider of your province.")),
        ("districts", True, _("District names separated by |.")),
        (
            "languages",
            True,
            _(
                "Languages separated by |, each as language, language:variant or language:variant:level "
                "(madrelingua, fluente, di lavoro); the language as its ISO 639-3 code or its name in Italian or "
                "English, e.g. arabo:Darija marocchina:madrelingua|fra."
            ),
        ),
        ("written_translation", False, _("Codes of the languages also translated in writing, separated by |.")),
        ("countries", False, _("Countries separated by |, as ISO 3166 codes or names, e.g. MA|Tunisia.")),
        ("modes", False, _("in presenza, telefono, video separated by | (empty: in person).")),
        ("settings", False, _("child_protection, judicial, school, health, basic_social_service separated by |.")),
        ("max_weekly_hours", False, _("Whole number up to 60, e.g. 20 or 20,0 (empty: 20).")),
        ("hourly_rate", False, _("Euro, e.g. 21,50 or 21,50 € (empty: 0).")),
        ("travel_rate", False, _("Euro per km, e.g. 0,35 (empty: 0).")),
        ("active", False, _("sì or no (empty: sì).")),
        ("cultural_areas", False, _("Free text, e.g. Maghreb, West Africa.")),
    ]
