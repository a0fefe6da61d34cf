"""Pages of the operators' FAQ. Views parse, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for
from core.errors import DomainError

from . import selectors, services
from .forms import AnswerForm, AskForm, ExpertForm
from .models import QuestionStatus
from .rules import OPERATORS

LIST_MAX = 300


def _filters(request) -> dict:
    categories = selectors.categories()
    chosen = request.GET.get("categoria", "")
    return {
        "categories": categories,
        "category": next((c for c in categories if c.code == chosen), None),
        "tag": request.GET.get("tag", "")[:60],
        "to_review": request.GET.get("da_rivedere") == "1",
        "query": request.GET.get("q", "").replace("\x00", "")[: selectors.QUERY_MAX].strip(),
    }


@role_required(*OPERATORS)
def faq_list(request):
    """The province's answers: all of them by date, or those matching the search, best first, with snippets."""
    filters = _filters(request)
    queryset = selectors.published(user=request.user)
    if filters["category"] is not None:
        queryset = queryset.filter(category=filters["category"])
    if filters["tag"]:
        queryset = queryset.filter(tags__slug=filters["tag"])
    if filters["to_review"]:
        queryset = selectors.to_review(queryset)
    if filters["query"]:
        hits = selectors.search(queryset, filters["query"], limit=LIST_MAX)
        loose = not hits
        if loose:  # no answer has every word: those with some of them, best first
            hits = selectors.search(queryset, filters["query"], any_word=True, limit=LIST_MAX)
    else:
        loose = False
        hits = [selectors.Hit(question=q, snippet="") for q in queryset.order_by("-answered_at", "-pk")[:LIST_MAX]]
    answerer = selectors.answers_anything(request.user)
    return render(
        request,
        "faq/list.html",
        {
            **filters,
            "hits": hits,
            "loose": loose,
            "review_before": selectors.review_due_before(),
            "answerer": answerer,
            "waiting_count": selectors.waiting(user=request.user).count() if answerer else 0,
            "mine_waiting": list(selectors.my_waiting(user=request.user)[:20]),
        },
    )


@require_GET
@role_required(*OPERATORS)
def suggest(request):
    """Published answers close to the question being typed (htmx, into the ask form)."""
    text = request.GET.get("title", "") or request.GET.get("q", "")
    return render(request, "faq/_suggestions.html", {"hits": selectors.suggestions(user=request.user, text=text)})


@role_required(*OPERATORS)
def ask(request):
    form = AskForm(request.POST or None, user=request.user, initial={"title": request.GET.get("q", "")[:200]})
    hits = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = services.question_ask(
                actor=actor_for(request.user),
                province=data["province"],
                title=data["title"],
                body=data["body"],
                category=data["category"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your question was sent to the province. You will find the answer here."))
            return redirect("faq:detail", question.pk)
    if form.is_bound:
        hits = selectors.suggestions(user=request.user, text=request.POST.get("title", ""))
    return render(request, "faq/ask.html", {"form": form, "hits": hits})


@role_required(*OPERATORS)
def detail(request, pk):
    question = selectors.question_for(user=request.user, pk=pk)
    actor = actor_for(request.user)
    published = question.status == QuestionStatus.PUBLISHED
    return render(
        request,
        "faq/detail.html",
        {
            "question": question,
            "published": published,
            "tags": list(question.tags.all()) if published else [],
            "my_vote": selectors.my_votes(user=request.user, question_ids=[question.pk]).get(question.pk),
            "can_answer": services.can_answer(actor, question.province_id),
            "to_review": published and selectors.needs_review(question),
            "age_days": (timezone.localdate() - timezone.localdate(question.asked_at)).days,
        },
    )


@role_required(*OPERATORS)
def answer(request, pk):
    if not selectors.answers_anything(request.user):
        raise PermissionDenied
    question = selectors.question_to_answer(user=request.user, pk=pk)
    form = AnswerForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_answer(
                actor=actor_for(request.user),
                question=question,
                title=data["title"],
                answer=data["answer"],
                category=data["category"],
                tags=data["tags"],
                owner=data["owner"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The answer is published to the operators of the province."))
            return redirect("faq:detail", question.pk)
    return render(request, "faq/answer.html", {"form": form, "question": question})


@require_POST
@role_required(*OPERATORS)
def vote(request, pk):
    question = selectors.question_for(user=request.user, pk=pk)
    useful = request.POST.get("utile")
    if useful not in ("1", "0"):
        messages.error(request, _("Say whether the answer was useful."))
        return redirect("faq:detail", question.pk)
    try:
        services.vote_cast(actor=actor_for(request.user), question=question, useful=useful == "1")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: your vote is recorded (you can change it)."))
    return redirect("faq:detail", question.pk)


@require_POST
@role_required(*OPERATORS)
def reviewed(request, pk):
    if not selectors.answers_anything(request.user):
        raise PermissionDenied
    question = selectors.question_to_answer(user=request.user, pk=pk)
    try:
        services.question_review(actor=actor_for(request.user), question=question)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The answer is marked as reviewed today."))
    return redirect("faq:detail", question.pk)


@role_required(*OPERATORS)
def waiting(request):
    """The questions waiting for an answer, the oldest first, with their age (province staff and experts)."""
    if not selectors.answers_anything(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    rows = list(selectors.waiting(user=request.user)[:LIST_MAX])
    for row in rows:
        row.age_days = (today - timezone.localdate(row.asked_at)).days
    actor = actor_for(request.user)
    return render(
        request,
        "faq/waiting.html",
        {
            "questions": rows,
            "several_provinces": actor.is_admin or len(actor.province_ids) > 1,
            "can_designate": actor.is_admin or actor.has_role(Role.PROVINCE_STAFF),
        },
    )


@role_required(Role.PROVINCE_STAFF)
def experts(request):
    """The province's staff designate the people who answer questions with them, and end a designation."""
    actor = actor_for(request.user)
    people = selectors.people_of(None if actor.is_admin else actor.province_ids)
    form = ExpertForm(request.POST or None, user=request.user, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.expert_designate(actor=actor, province=data["province"], user=data["user"], topic=data["topic"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The person now answers the province's questions."))
            return redirect("faq:experts")
    return render(request, "faq/experts.html", {"form": form, "experts": list(selectors.experts(user=request.user))})


@require_POST
@role_required(Role.PROVINCE_STAFF)
def expert_remove(request, pk):
    expert = selectors.expert_for(user=request.user, pk=pk)
    try:
        services.expert_remove(actor=actor_for(request.user), expert=expert)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The person no longer answers the province's questions."))
    return redirect("faq:experts")
