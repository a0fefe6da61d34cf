"""Pages of the training course. Views parse, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Province, User
from accounts.permissions import role_required
from accounts.scoping import actor_for
from core.errors import DomainError

from . import selectors, services
from .forms import CourseForm, ExternalForm, SessionForm
from .models import Nomination
from .pdf import render_pdf
from .rules import MANAGERS, PEOPLE

LIST_MAX = 200


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@role_required(*MANAGERS)
def course_list(request):
    actor = actor_for(request.user)
    return render(
        request,
        "training/list.html",
        {
            "courses": list(selectors.courses(user=request.user)[:LIST_MAX]),
            "can_create": actor.is_admin or actor.has_role(*MANAGERS[1:]),
        },
    )


@role_required(*PEOPLE)
def mine(request):
    """ "I miei corsi": the person's nominations with the hours attended and the certificate when issued."""
    return render(request, "training/mine.html", {"nominations": list(selectors.my_nominations(user=request.user))})


@role_required(*MANAGERS[1:])
def course_create(request):
    actor = actor_for(request.user)
    provinces = Province.objects.all() if actor.is_admin else Province.objects.filter(pk__in=actor.province_ids)
    form = CourseForm(request.POST or None, provinces=provinces.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.course_create(
                actor=actor,
                province=data["province"],
                title=data["title"],
                description=data["description"],
                targets=set(data["targets"]),
                places_per_district=data["places_per_district"],
                threshold_percent=data["threshold_percent"],
                signed_by=data["signed_by"],
                modules=data["modules"].splitlines(),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The course is created. Add its sessions."))
            return redirect(course)
    return render(request, "training/course_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*PEOPLE)
def course_detail(request, pk):
    course = selectors.course_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    sessions = selectors.sessions_of(course)
    total = selectors.course_hours(sessions)
    needed = selectors.hours_needed(course, total)
    manager = services.can_manage(actor, course)
    attended = selectors.hours_by_nomination(course)
    participants = []
    if manager:
        # The confirmed participants and the manager's own nominations, in one query.
        rows = list(
            selectors.nominations_of(course, user=request.user).filter(
                Q(status=Nomination.Status.CONFIRMED) | Q(user=request.user)
            )
        )
        for n in rows:
            if n.status == Nomination.Status.CONFIRMED:
                hours = attended.get(n.pk, selectors.ZERO)
                participants.append({"nomination": n, "hours": hours, "eligible": hours >= needed})
        mine = [n for n in rows if n.user_id == request.user.pk]
    else:
        mine = list(course.nominations.filter(user=request.user).select_related("district"))
    own = [{"nomination": n, "hours": attended.get(n.pk, selectors.ZERO)} for n in mine]
    districts = selectors.districts_for_nominating(user=request.user, course=course)
    taken = selectors.places_taken(course)
    now = timezone.now()
    return render(
        request,
        "training/detail.html",
        {
            "course": course,
            "modules": list(course.modules.all()),
            "sessions": [
                {"session": s, "can_mark": services.can_mark(actor, s), "past": s.starts_at <= now} for s in sessions
            ],
            "total_hours": total,
            "needed_hours": needed,
            "manager": manager,
            "participants": participants,
            "own": own,
            "places": [(d, taken.get(d.pk, 0)) for d in districts],
            "can_nominate": bool(districts),
        },
    )


@role_required(*MANAGERS[1:])
def session_add(request, pk):
    course = selectors.course_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    if not services.can_manage(actor, course):
        raise Http404
    form = SessionForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_add(actor=actor, course=course, **data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The session is added to the course."))
            return redirect(course)
    return render(
        request, "training/session_form.html", {"form": form, "course": course}, status=400 if form.errors else 200
    )


@role_required(*MANAGERS)
def nominate(request, pk):
    """A district's nominations: the places used, the people nominated, the district's professionals to nominate
    and an external person's form. A coordinator sees their district; the province's staff choose one."""
    course = selectors.course_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    districts = selectors.districts_for_nominating(user=request.user, course=course)
    if not districts:
        raise Http404
    chosen = request.GET.get("ambito") or request.POST.get("ambito")
    district = next((d for d in districts if str(d.pk) == chosen), districts[0])
    external = ExternalForm(request.POST if request.POST.get("action") == "external" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "external":
                if not external.is_valid():
                    raise DomainError(_("Correct the external person's details."))
                services.nominate(actor=actor, course=course, district=district, **external.cleaned_data)
            else:
                user = (
                    User.objects.filter(pk=request.POST.get("user") or 0).first()
                    if (request.POST.get("user") or "").isdigit()
                    else None
                )
                if user is None:
                    raise DomainError(_("Choose a person to nominate."))
                services.nominate(actor=actor, course=course, district=district, user=user)
        except DomainError as exc:
            if request.POST.get("action") == "external" and exc.field in external.fields:
                external.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
        else:
            messages.success(request, _("The nomination is sent to the province."))
            return redirect(f"{request.path}?ambito={district.pk}")
    nominations = list(selectors.nominations_of(course, user=request.user, district=district))
    nominated_users = {n.user_id for n in nominations if n.status in Nomination.HOLDING}
    targets = course.target_roles()
    candidates = [
        (u, Nomination.Kind(kind).label)
        for u, kind in selectors.candidates(district)
        if u.pk not in nominated_users and kind in targets
    ]
    used = sum(1 for n in nominations if n.status in Nomination.HOLDING)
    return render(
        request,
        "training/nominate.html",
        {
            "course": course,
            "districts": districts,
            "district": district,
            "nominations": nominations,
            "candidates": candidates,
            "external": external,
            "used": used,
            "full": used >= course.places_per_district,
            "manager": services.can_manage(actor, course),
            "others_allowed": Nomination.Kind.OTHER in targets,
        },
        status=400 if external.errors else 200,
    )


def _nomination_action(request, pk, action, done):
    nomination = selectors.nomination_for(user=request.user, pk=pk)
    try:
        action(actor=actor_for(request.user), nomination=nomination)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(f"{nomination.course.get_absolute_url()}candidature/?ambito={nomination.district_id}")


@require_POST
@role_required(*MANAGERS[1:])
def confirm(request, pk):
    return _nomination_action(request, pk, services.nomination_confirm, _("Confirmed: the invitation is sent."))


@require_POST
@role_required(*MANAGERS)
def withdraw(request, pk):
    return _nomination_action(request, pk, services.nomination_withdraw, _("The nomination is withdrawn."))


def decline(request, token):
    """The link of the invitation e-mail: no login; a page that asks, a POST that declines."""
    nomination = services.nomination_from_token(token)
    if nomination is None:
        return render(request, "training/decline.html", {"invalid": True}, status=404)
    done = False
    error = ""
    if request.method == "POST":
        try:
            nomination = services.nomination_decline(token=token)
            done = True
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "training/decline.html",
        {"nomination": nomination, "done": done or nomination.status == Nomination.Status.DECLINED, "error": error},
    )


@role_required(*PEOPLE)
def attendance(request, pk):
    session = selectors.session_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    if not services.can_mark(actor, session):
        raise Http404
    if request.method == "POST":
        ids = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        try:
            n = services.attendance_mark(actor=actor, session=session, present_ids=ids)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The register is saved: %(n)s present.") % {"n": n})
            return redirect("training:attendance", session.pk)
    return render(
        request,
        "training/attendance.html",
        {
            "session": session,
            "course": session.course,
            "register": selectors.register_of(session),
            "started": session.starts_at <= timezone.now(),
        },
    )


@role_required(*PEOPLE)
def sign_in_sheet(request, pk):
    session = selectors.session_for(user=request.user, pk=pk)
    if not services.can_mark(actor_for(request.user), session):
        raise Http404
    pdf = render_pdf(
        "training/pdf/sign_in_sheet.html",
        {"session": session, "course": session.course, "register": selectors.register_of(session)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="foglio-firme-{session.pk}.pdf"'
    return response


@require_POST
@role_required(*MANAGERS[1:])
def certificates_issue(request, pk):
    course = selectors.course_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    if not services.can_manage(actor, course):
        raise Http404
    try:
        n = services.certificates_issue(actor=actor, course=course)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Certificates issued: %(n)s.") % {"n": n})
    return redirect(course)


@role_required(*PEOPLE)
def certificate(request, pk):
    # The nominee, their district's coordinator, the province's staff (training.rules); 404 before it is issued.
    nomination = selectors.nomination_for(user=request.user, pk=pk)
    if nomination.certificate_issued_at is None:
        raise Http404
    sessions = selectors.sessions_of(nomination.course)
    pdf = render_pdf(
        "training/pdf/certificate.html",
        {
            "nomination": nomination,
            "course": nomination.course,
            "first_day": timezone.localdate(sessions[0].starts_at) if sessions else None,
            "last_day": timezone.localdate(sessions[-1].starts_at) if sessions else None,
            "total_hours": selectors.course_hours(sessions),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="attestato-{nomination.pk}.pdf"'
    return response
