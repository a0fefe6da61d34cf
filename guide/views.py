"""Pages of the mini-guide for the people who map and translate it. Views parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import District, Province, Role
from accounts.permissions import role_required
from accounts.scoping import actor_for
from audit.services import record_read
from core.errors import DomainError

from . import datapackage, public_views, selectors, services
from .forms import DatapackageForm, EditionForm, EntryForm, TaskForm
from .models import EntryState, GuideLanguage, Translation, TranslationTask

MAPPERS = (Role.COORDINATOR, Role.PROVINCE_STAFF)
TRANSLATORS = (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.MEDIATOR)


@role_required(*MAPPERS)
def entry_list(request):
    queryset = selectors.entries(user=request.user)
    state = request.GET.get("stato", "")
    if state in EntryState.values:
        queryset = queryset.filter(state=state)
    to_review = request.GET.get("da_rivedere") == "1"
    if to_review:
        queryset = selectors.to_review(queryset)
    return render(
        request,
        "guide/entries.html",
        {
            "entries": queryset.order_by("service__name", "pk")[:500],
            "states": EntryState.choices,
            "state": state,
            "to_review": to_review,
            "review_count": selectors.entries_to_review(user=request.user).count(),
            "review_before": selectors.review_due_before(),
        },
    )


def _entry_form_arguments(form) -> dict:
    data = dict(form.cleaned_data)
    return {
        "fields": data,
        "phones": data.pop("phones"),
        "schedules": data.pop("schedules"),
        "languages": data.pop("languages"),
    }


@role_required(*MAPPERS)
def entry_create(request):
    actor = actor_for(request.user)
    form = EntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        arguments = _entry_form_arguments(form)
        district = arguments["fields"].pop("district")
        province_id = district.province_id if district else next(iter(actor.province_ids), None)
        try:
            if province_id is None:
                raise DomainError(_("Choose a district."), field="district")
            entry = services.entry_create(
                actor=actor, province=Province.objects.get(pk=province_id), district=district, **arguments
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The entry is saved as a draft."))
            return redirect("guide:entry", entry.pk)
    return render(request, "guide/entry_form.html", {"form": form})


@role_required(*MAPPERS)
def entry_detail(request, pk):
    entry = selectors.entry_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    return render(
        request,
        "guide/entry.html",
        {
            "entry": entry,
            "state": services.entry_state(entry),
            "history": selectors.entry_history(entry=entry),
            "can_publish": actor.is_admin or actor.has_role(Role.PROVINCE_STAFF),
            "outdated": entry.assured_date < selectors.review_due_before(),
            "tasks": entry.tasks.select_related("translator"),
        },
    )


@role_required(*MAPPERS)
def entry_edit(request, pk):
    entry = selectors.entry_for(user=request.user, pk=pk)
    form = EntryForm(request.POST or None, user=request.user, entry=entry)
    if request.method == "POST" and form.is_valid():
        arguments = _entry_form_arguments(form)
        arguments["fields"].pop("district")
        try:
            services.entry_update(actor=actor_for(request.user), entry=entry, **arguments)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The entry is saved."))
            return redirect("guide:entry", entry.pk)
    return render(request, "guide/entry_form.html", {"form": form, "entry": entry})


ENTRY_ACTIONS = {
    "invia": (services.entry_submit, _("The entry was sent to the province for review.")),
    "pubblica": (services.entry_publish, _("The entry is published.")),
    "rimanda": (services.entry_return, _("The entry was sent back to the district.")),
    "verificata": (services.entry_confirm_reviewed, _("The entry is marked as checked today.")),
}


@require_POST
@role_required(*MAPPERS)
def entry_action(request, pk, action):
    if action not in ENTRY_ACTIONS:
        raise Http404
    entry = selectors.entry_for(user=request.user, pk=pk)
    service, done = ENTRY_ACTIONS[action]
    extra = {"note": request.POST.get("note", "")} if action == "rimanda" else {}
    try:
        service(actor=actor_for(request.user), entry=entry, **extra)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done))
    return redirect("guide:entry", entry.pk)


@role_required(*MAPPERS)
def export(request):
    data = datapackage.export_zip(selectors.entries(user=request.user))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="guida-hsds.zip"'
    return response


@role_required(*MAPPERS)
def import_upload(request):
    form = DatapackageForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = datapackage.datapackage_import(
                actor=actor_for(request.user), data=upload.read(datapackage.MAX_BYTES + 1)
            )
        except datapackage.DatapackageErrors as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Imported: %(created)s new entries and %(updated)s updated, as drafts; %(unchanged)s unchanged.")
                % {
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "unchanged": len(result.unchanged),
                },
            )
            return redirect("guide:entries")
    return render(request, "guide/import.html", {"form": form, "errors": errors})


# --- Translation tasks ------------------------------------------------------------------------------------------------


@role_required(*TRANSLATORS)
def task_list(request):
    return render(
        request,
        "guide/tasks.html",
        {"tasks": selectors.tasks(user=request.user).order_by("status", "deadline", "pk")[:500]},
    )


@role_required(*MAPPERS)
def task_create(request):
    entry = None
    if request.GET.get("voce") or request.POST.get("entry"):
        entry = selectors.entry_for(user=request.user, pk=request.GET.get("voce") or request.POST.get("entry"))
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        actor = actor_for(request.user)
        try:
            task = services.translation_task_create(
                actor=actor,
                entry=entry,
                # Without an entry: the introduction and categories, for the coordinator's district or the province.
                district=None if entry or not actor.district_ids else District.objects.get(pk=min(actor.district_ids)),
                language=form.cleaned_data["language"].code,
                translator=form.cleaned_data["translator"],
                reviewer=form.cleaned_data["reviewer"],
                deadline=form.cleaned_data["deadline"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The mediator has been asked to translate."))
            return redirect("guide:task", task.pk)
    return render(request, "guide/task_form.html", {"form": form, "entry": entry})


@role_required(*TRANSLATORS)
def task_detail(request, pk):
    """The side-by-side page: the Italian beside the translation, right to left where the language is."""
    task = selectors.task_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    language = GuideLanguage.objects.filter(code=task.language).first()
    is_translator = task.translator.user_id == request.user.pk and task.status == TranslationTask.Status.OPEN
    sources = services.task_sources(task)
    if request.method == "POST":
        if not is_translator:
            raise PermissionDenied
        texts = {key: request.POST.get(key, "") for key in (f"{k}:{o}:{f}" for k, o, f, _s in sources)}
        try:
            services.translation_save(
                actor=actor, task=task, texts=texts, submit="consegna" in request.POST, hours=request.POST.get("ore")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Translation saved."))
            return redirect("guide:task", task.pk)
    existing = {
        (t.object_kind, t.object_id, t.field): t
        for t in Translation.objects.filter(language=task.language, object_id__in={o for _k, o, _f, _s in sources})
    }
    label_ids = set() if task.entry_id else selectors.label_text_ids(province_id=task.province_id)
    rows = []
    for kind, object_id, field, source in sources:
        row = existing.get((kind, object_id, field))
        rows.append(
            {
                "key": f"{kind}:{object_id}:{field}",
                "label": _("Label of the public pages")
                if kind == Translation.Kind.GUIDE_TEXT and object_id in label_ids
                else _field_label(kind, field),
                "source": source,
                "text": request.POST.get(f"{kind}:{object_id}:{field}")
                if request.method == "POST"
                else (row.text if row else ""),
                "outdated": row is not None and row.status == Translation.Status.OUTDATED,
            }
        )
    return render(
        request,
        "guide/task.html",
        {
            "task": task,
            "language": language,
            "rows": rows,
            "is_translator": is_translator,
            "hours": request.POST.get("ore", "") if request.method == "POST" else task.hours_spent,
            "can_approve": task.status == TranslationTask.Status.SUBMITTED and services.can_approve(actor, task),
        },
    )


def _field_label(kind: str, field: str) -> str:
    labels = {
        "name": _("Name"),
        "description": _("Description"),
        "fees_description": _("Costs"),
        "eligibility_description": _("Who can go"),
        "application_process": _("How to access"),
        "title": _("Title"),
        "text": _("Text"),
    }
    prefix = {Translation.Kind.TAXONOMY_TERM: _("Category"), Translation.Kind.GUIDE_TEXT: _("Introduction")}
    label = labels.get(field, field)
    return f"{prefix[kind]} · {label}" if kind in prefix else label


@require_POST
@role_required(*TRANSLATORS)
def task_action(request, pk, action):
    task = selectors.task_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    try:
        if action == "approva":
            services.translation_task_approve(actor=actor, task=task)
            messages.success(request, _("The translation is approved."))
        elif action == "rimanda":
            services.translation_task_return(actor=actor, task=task, note=request.POST.get("note", ""))
            messages.success(request, _("The translation was sent back to the mediator."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("guide:task", args=[task.pk]))


# --- Editions of the booklet ------------------------------------------------------------------------------------------


def _booklet_languages() -> list:
    return [public_views.ITALIAN, *selectors.guide_languages()]


@role_required(*MAPPERS)
def edition_list(request):
    """The editions of the booklet, newest first, and the form asking for a new one."""
    languages = _booklet_languages()
    form = EditionForm(request.POST if request.method == "POST" else None, user=request.user, languages=languages)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created = _edition_create(request, form)
            if created:
                return redirect("guide:editions")
        status = 400
    editions = list(selectors.editions(user=request.user)[:EDITIONS_SHOWN])
    known = {language.code: language for language in languages}
    for edition in editions:
        edition.guide_language = known.get(edition.language)
    return render(request, "guide/editions.html", {"form": form, "editions": editions}, status=status)


EDITIONS_SHOWN = 200


def _edition_create(request, form) -> bool:
    actor = actor_for(request.user)
    district = form.cleaned_data["district"]
    province = district.province if district else Province.objects.filter(pk__in=actor.province_ids).first()
    try:
        if province is None:
            raise DomainError(_("Choose a district."), field="district")
        edition = services.edition_request(
            actor=actor, province=province, district=district, language=form.cleaned_data["language"]
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    edition.refresh_from_db(fields=["status"])
    if edition.status == edition.Status.DONE:
        messages.success(request, _("The booklet is ready: download it from the list."))
    elif edition.status == edition.Status.FAILED:
        messages.error(request, _("The booklet could not be prepared: the list says why."))
    else:
        messages.success(request, _("The booklet is being prepared: it appears ready in this list in a minute."))
    return True


@role_required(*MAPPERS)
def edition_download(request, pk):
    edition = selectors.edition_for(user=request.user, pk=pk)
    if edition.status != edition.Status.DONE or not edition.file:
        raise Http404
    try:
        handle = edition.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record_read(request=request, what=f"guide.edition:{edition.pk}")
    return FileResponse(handle, as_attachment=True, filename=edition.filename, content_type="application/pdf")
