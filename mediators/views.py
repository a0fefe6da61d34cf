from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for, scope_key
from audit.services import record_read
from core.compiled import form_key
from core.errors import DomainError
from core.pagination import CURSOR_PARAMETERS, KeysetPaginator

from . import exports, selectors, services
from .filters import RosterFilter
from .forms import (
    AbsenceFormSet,
    ContactsForm,
    LanguageFormSet,
    MediatorForm,
    QualificationFormSet,
    SlotFormSet,
    TrainingFormSet,
    filled_rows,
)
from .models import Mediator

ROSTER_ROLES = (Role.COORDINATOR, Role.PROVINCE_STAFF)
PAGE_SIZE = 25


def _roster_filter(request) -> RosterFilter:
    # The filters' form at once; the mediators they choose from only when they are read (_filtered).
    return RosterFilter(request.GET or None, queryset=Mediator.objects.none(), user=request.user)


def _filtered(filterset: RosterFilter, user):
    filterset.queryset = selectors.roster(user=user)
    # An invalid filter (a bad date, an unknown language) shows its message and an unfiltered list, never a 500.
    if filterset.is_bound and filterset.is_valid():
        return filterset.qs
    return filterset.queryset.order_by("last_name", "first_name", "pk")


def _filtered_roster(request):
    filterset = _roster_filter(request)
    return filterset, _filtered(filterset, request.user)


@role_required(*ROSTER_ROLES)
def roster_list(request):
    filterset = _roster_filter(request)
    # Pages by position (core.pagination), in the chosen order; a row reads only what the list shows. The first and
    # last pages come from SQL compiled once per reader's scope and filters (core.compiled): their queryset is built
    # only when that SQL is not there yet.
    keys, descending = filterset.order()
    key = ("roster", scope_key(request.user), *form_key(filterset.form))
    page = KeysetPaginator(
        lambda: selectors.roster_rows(_filtered(filterset, request.user)),
        keys,
        model=Mediator,
        descending=descending,
        per_page=PAGE_SIZE,
    ).page(request.GET, key=key)
    page.object_list = selectors.with_row_lists(page.object_list)
    query = request.GET.copy()
    for name in CURSOR_PARAMETERS:
        query.pop(name, None)
    return render(
        request,
        "mediators/list.html",
        {"filter": filterset, "page": page, "querystring": query.urlencode(), "today": timezone.localdate()},
    )


@role_required(*ROSTER_ROLES)
def export_csv(request):
    _filterset, queryset = _filtered_roster(request)
    record_read(request=request, what="mediators.roster.csv")
    response = StreamingHttpResponse(exports.csv_rows(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mediatori-{date.today():%Y%m%d}.csv"'
    return response


@role_required(*ROSTER_ROLES)
def export_xlsx(request):
    _filterset, queryset = _filtered_roster(request)
    record_read(request=request, what="mediators.roster.xlsx")
    return exports.xlsx_response(queryset, filename=f"mediatori-{date.today():%Y%m%d}.xlsx")


@login_required
def my_profile(request):
    mediator = selectors.own_mediator_profile(user=request.user)
    if mediator is None or actor_for(request.user).role != Role.MEDIATOR:
        raise Http404
    return redirect(mediator)


@login_required
def mediator_detail(request, pk: int):
    mediator = selectors.mediator_detail(user=request.user, pk=pk)
    return render(
        request,
        "mediators/detail.html",
        {
            "mediator": mediator,
            "can_edit": selectors.can_edit_profile(user=request.user, mediator=mediator),
            "can_edit_availability": selectors.can_edit_availability(user=request.user, mediator=mediator),
            "show_notes": selectors.can_manage_roster(user=request.user),
            "absence": selectors.current_absence(mediator=mediator),
        },
    )


def _profile_formsets(data=None, mediator=None):
    initial = {}
    if mediator is not None:
        initial = {
            "languages": [
                {"code": x.code, "variant": x.variant, "level": x.level, "written_translation": x.written_translation}
                for x in mediator.languages.all()
            ],
            "trainings": [
                {"title": t.title, "body": t.body, "date": t.date, "hours": t.hours} for t in mediator.trainings.all()
            ],
            "qualifications": [
                {"title": q.title, "issued_by": q.issued_by, "issued_on": q.issued_on, "expires_on": q.expires_on}
                for q in mediator.qualifications.all()
            ],
        }
    return {
        "languages": LanguageFormSet(data, prefix="languages", initial=initial.get("languages")),
        "trainings": TrainingFormSet(data, prefix="trainings", initial=initial.get("trainings")),
        "qualifications": QualificationFormSet(data, prefix="qualifications", initial=initial.get("qualifications")),
    }


def _save_profile(request, mediator=None):
    actor = actor_for(request.user)
    form = MediatorForm(request.POST or None, instance=mediator, user=request.user)
    formsets = _profile_formsets(request.POST or None, mediator)
    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        data = form.cleaned_data
        arguments = {
            "actor": actor,
            "provider": data["provider"],
            "districts": data["districts"],
            "fields": data,
            "languages": filled_rows(formsets["languages"]),
            "countries": data["countries"],
            "trainings": filled_rows(formsets["trainings"]),
            "qualifications": filled_rows(formsets["qualifications"]),
        }
        try:
            if mediator is None:
                saved = services.mediator_create(**arguments)
            else:
                saved = services.mediator_update(mediator=mediator, **arguments)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The profile of %(name)s is saved.") % {"name": saved.full_name})
            return redirect(saved)
    elif request.method == "POST":
        messages.error(request, _("The profile was not saved: please correct the fields marked below."))
    return render(request, "mediators/form.html", {"form": form, "formsets": formsets, "mediator": mediator})


@role_required(*ROSTER_ROLES)
def mediator_create(request):
    return _save_profile(request)


@login_required
def mediator_edit(request, pk: int):
    mediator = selectors.mediator_detail(
        user=request.user, pk=pk, parts=("languages", "countries", "trainings", "qualifications")
    )
    if not selectors.can_edit_profile(user=request.user, mediator=mediator):
        raise PermissionDenied
    return _save_profile(request, mediator)


@login_required
def contacts_edit(request, pk: int):
    mediator = selectors.mediator_detail(user=request.user, pk=pk, parts=())
    if not selectors.can_edit_availability(user=request.user, mediator=mediator):
        raise PermissionDenied
    form = ContactsForm(request.POST or None, initial={"email": mediator.email, "phone": mediator.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.mediator_update_contacts(actor=actor_for(request.user), mediator=mediator, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Contacts saved."))
            return redirect(mediator)
    return render(request, "mediators/contacts.html", {"form": form, "mediator": mediator})


@login_required
def availability_edit(request, pk: int):
    mediator = selectors.mediator_detail(user=request.user, pk=pk, parts=("slots",))
    if not selectors.can_edit_availability(user=request.user, mediator=mediator):
        raise PermissionDenied
    data = request.POST or None
    slots = SlotFormSet(
        data,
        prefix="slots",
        initial=[
            {"weekday": s.weekday, "start_time": s.start_time, "end_time": s.end_time} for s in mediator.slots.all()
        ],
    )
    absences = AbsenceFormSet(
        data,
        prefix="absences",
        initial=[
            {"start_date": a.start_date, "end_date": a.end_date, "reason": a.reason}
            for a in mediator.absences.order_by("start_date")
        ],
    )
    if request.method == "POST" and slots.is_valid() and absences.is_valid():
        try:
            services.mediator_set_availability(
                actor=actor_for(request.user),
                mediator=mediator,
                slots=[(r["weekday"], r["start_time"], r["end_time"]) for r in filled_rows(slots)],
                absences=[(r["start_date"], r["end_date"], r.get("reason", "")) for r in filled_rows(absences)],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Availability saved."))
            return redirect(mediator)
    elif request.method == "POST":
        messages.error(request, _("The availability was not saved: please correct the rows marked below."))
    return render(request, "mediators/availability.html", {"slots": slots, "absences": absences, "mediator": mediator})
