"""Writes of the questions: an operator asks, the province's staff or an expert answers (the answer is published to
every operator of the province at once), the owner confirms it is still true, operators vote it useful or not.

Nothing of a family enters: the question's text is checked like a request's case code (core/identity.py) and refused
with a message saying what to remove; nothing is saved then.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Province, Role, User
from accounts.scoping import Actor
from core.errors import DomainError, NotAllowed
from core.identity import check_free_text

from ..models import Category, Expert, Question, QuestionStatus, Tag, Vote
from ..rendering import plain_text, render
from ..rules import OPERATORS

TITLE_MIN, TITLE_MAX = 10, 200
BODY_MAX = 4000
ANSWER_MAX = 20000
TAGS_MAX, TAG_MAX = 8, 60


def can_answer(actor: Actor, province_id: int) -> bool:
    """The province's staff, the experts they designated for it, administrators."""
    if actor.is_admin:
        return True
    if actor.has_role(Role.PROVINCE_STAFF) and province_id in actor.province_ids:
        return True
    if actor.user is None or not actor.has_role(*OPERATORS) or province_id not in actor.province_ids:
        return False
    return Expert.objects.filter(province_id=province_id, user=actor.user).exists()


def _no_identity(text: str, *, field: str, offices_allowed: bool = False) -> None:
    try:
        check_free_text(text, offices_allowed=offices_allowed)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field) from None


def _in_province(actor: Actor, province: Province) -> None:
    if not (actor.is_admin or (actor.has_role(*OPERATORS) and province.pk in actor.province_ids)):
        raise NotAllowed(_("You cannot ask questions for this province."))


@transaction.atomic
def question_ask(
    *, actor: Actor, province: Province, title: str, body: str = "", category: Category | None = None
) -> Question:
    """A question waiting for the province's answer. Refused, and nothing saved, if it carries a person's data."""
    _in_province(actor, province)
    title, body = " ".join((title or "").split()), (body or "").strip()
    if len(title) < TITLE_MIN:
        raise DomainError(_("Write the question in a sentence (at least 10 characters)."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_("The question is too long: at most 200 characters; add details below."), field="title")
    if len(body) > BODY_MAX:
        raise DomainError(_("The details are too long: at most 4,000 characters."), field="body")
    _no_identity(title, field="title")
    _no_identity(body, field="body")
    return Question.objects.create(
        province=province,
        title=title,
        body=body,
        category=category,
        asked_by=actor.user,
        asked_at=timezone.now(),
    )


def parse_tags(text: str) -> list[tuple[str, str]]:
    """(slug, name) of each comma-separated tag, once each, in the order written."""
    tags: dict[str, str] = {}
    for name in (text or "").split(","):
        name = " ".join(name.split()).lower()
        if not name:
            continue
        if len(name) > TAG_MAX or not slugify(name):
            raise DomainError(_("A tag is a word or a few: at most 60 characters."), field="tags")
        tags.setdefault(slugify(name)[:60], name)
    if len(tags) > TAGS_MAX:
        raise DomainError(_("At most 8 tags."), field="tags")
    return list(tags.items())


@transaction.atomic
def question_answer(
    *,
    actor: Actor,
    question: Question,
    answer: str,
    title: str | None = None,
    category: Category | None = None,
    tags: str = "",
    owner: User | None = None,
) -> Question:
    """Write (or rewrite) the answer and publish it to the province's operators. The answer counts as reviewed today;
    its owner is the one given, else the one it had, else whoever answers."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not can_answer(actor, question.province_id):
        raise NotAllowed(_("Only the province's staff and the experts they designated answer questions."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    if len(answer) > ANSWER_MAX:
        raise DomainError(_("The answer is too long: at most 20,000 characters."), field="answer")
    _no_identity(answer, field="answer", offices_allowed=True)
    if title is not None:
        title = " ".join(title.split())
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            raise DomainError(_("The question must be 10 to 200 characters long."), field="title")
        _no_identity(title, field="title")
        question.title = title
    parsed = parse_tags(tags)
    now = timezone.now()
    question.answer = answer
    question.answer_html = render(answer, province_slug=question.province.slug)
    question.answer_text = plain_text(question.answer_html)
    question.category = category
    question.status = QuestionStatus.PUBLISHED
    question.answered_at = question.answered_at or now
    question.answered_by = question.answered_by or actor.user
    question.owner = owner or question.owner or actor.user
    question.reviewed_on = timezone.localdate(now)
    question.tag_names = ", ".join(name for _slug, name in parsed)
    question.save()
    question.tags.set([Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in parsed])
    return question


@transaction.atomic
def question_review(*, actor: Actor, question: Question) -> Question:
    """The answer was read again and is still true: reviewed today."""
    if not can_answer(actor, question.province_id):
        raise NotAllowed(_("Only the province's staff and the experts they designated answer questions."))
    if question.status != QuestionStatus.PUBLISHED:
        raise DomainError(_("This question has no answer yet."))
    question.reviewed_on = timezone.localdate()
    question.owner = question.owner or actor.user
    question.save(update_fields=["reviewed_on", "owner"])
    return question


@transaction.atomic
def vote_cast(*, actor: Actor, question: Question, useful: bool) -> Vote:
    """One vote per person and answer; voting again changes it."""
    if actor.user is None or not (actor.is_admin or question.province_id in actor.province_ids):
        raise NotAllowed(_("You cannot vote on this answer."))
    if question.status != QuestionStatus.PUBLISHED:
        raise DomainError(_("This question has no answer yet."))
    question = Question.objects.select_for_update().get(pk=question.pk)
    vote, _created = Vote.objects.update_or_create(question=question, user=actor.user, defaults={"useful": useful})
    counts = Vote.objects.filter(question=question).aggregate(
        yes=Count("pk", filter=Q(useful=True)), no=Count("pk", filter=Q(useful=False))
    )
    Question.objects.filter(pk=question.pk).update(useful_count=counts["yes"], not_useful_count=counts["no"])
    return vote


@transaction.atomic
def expert_designate(*, actor: Actor, province: Province, user: User, topic: str = "") -> Expert:
    """The province's staff name someone of their province who answers questions too."""
    if not (actor.is_admin or (actor.has_role(Role.PROVINCE_STAFF) and province.pk in actor.province_ids)):
        raise NotAllowed(_("Only the province's staff designate experts."))
    expert, _created = Expert.objects.update_or_create(
        province=province, user=user, defaults={"topic": topic.strip()[:200], "designated_by": actor.user}
    )
    return expert


@transaction.atomic
def expert_remove(*, actor: Actor, expert: Expert) -> None:
    """The person no longer answers the province's questions (what they answered stays, with their name)."""
    if not (actor.is_admin or (actor.has_role(Role.PROVINCE_STAFF) and expert.province_id in actor.province_ids)):
        raise NotAllowed(_("Only the province's staff designate experts."))
    expert.delete()
