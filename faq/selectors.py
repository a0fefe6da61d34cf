"""Reads of the operators' FAQ, each from accounts.scoping's ``visible()``: published answers of the user's province,
their own waiting questions, and every question of the province for whoever answers (staff, experts).

The search: on PostgreSQL, full text with the Italian configuration (stemming: "richiesta" finds "richieste"),
ranked (title first, then the question, the answer, the tags) with highlighted snippets (ts_headline); elsewhere
(SQLite, the demo) each word of three letters or more, without its last vowel, is looked for in the same texts.
"""

from __future__ import annotations

import html
import re
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Province, Role, User
from accounts.scoping import actor_for, get_for_user_or_404, visible

from .models import Category, Expert, Question, QuestionStatus, Tag, Vote

# An answer nobody re-read for this long is flagged for review.
REVIEW_AFTER = timedelta(days=365)
QUERY_MAX = 200
SUGGESTIONS = 5
# ts_headline's marks, replaced by <mark> once the fragment is escaped (the text itself is never trusted as HTML).
_START, _STOP = "\u2063[[", "]]\u2063"
# Italian words too common to search for (the SQLite fallback; PostgreSQL's Italian configuration has its own list).
_STOPWORDS = set(
    "che chi come con cosa dal dalla dei del della delle deve devo gli il la le lo mi nel nella non per può puo "
    "posso quale quali quando se si sono su sul sulla una uno un una all alla alle allo agli anche più piu ci "
    "del dello degli fa fare ha hanno ho io loro ma mio nostro sua suo tra fra tutti tutto vi voi questo questa"
    .split()
)  # fmt: skip


def _answerer_provinces(user) -> set[int] | None:
    """The provinces whose waiting questions the user answers; None: every province (administrators)."""
    actor = actor_for(user)
    if actor.is_admin:
        return None
    if actor.has_role(Role.PROVINCE_STAFF):
        return set(actor.province_ids)
    if actor.user is None or not actor.province_ids:
        return set()
    return set(
        Expert.objects.filter(user=actor.user, province_id__in=actor.province_ids).values_list("province_id", flat=True)
    )


def answers_anything(user) -> bool:
    provinces = _answerer_provinces(user)
    return provinces is None or bool(provinces)


def questions(*, user) -> QuerySet[Question]:
    """The questions the user may open: published ones of their province, their own, all of the provinces they
    answer for."""
    queryset = visible(user, Question)
    provinces = _answerer_provinces(user)
    if provinces is None:
        return queryset
    return queryset.filter(Q(status=QuestionStatus.PUBLISHED) | Q(asked_by=user) | Q(province_id__in=provinces))


def question_for(*, user, pk) -> Question:
    return get_for_user_or_404(
        user, questions(user=user).select_related("category", "province", "owner", "answered_by"), pk=pk
    )


def question_to_answer(*, user, pk) -> Question:
    """A question of a province the user answers for (404 for another province's)."""
    provinces = _answerer_provinces(user)
    queryset = visible(user, Question).select_related("category", "province", "owner")
    if provinces is not None:
        queryset = queryset.filter(province_id__in=provinces)
    return get_for_user_or_404(user, queryset, pk=pk)


def published(*, user) -> QuerySet[Question]:
    return (
        visible(user, Question)
        .filter(status=QuestionStatus.PUBLISHED)
        .select_related("category")
        .prefetch_related("tags")
    )


def waiting(*, user) -> QuerySet[Question]:
    """The questions waiting for an answer in the provinces the user answers for, the oldest first."""
    provinces = _answerer_provinces(user)
    queryset = visible(user, Question).filter(status=QuestionStatus.WAITING)
    if provinces is not None:
        queryset = queryset.filter(province_id__in=provinces)
    return queryset.select_related("category", "province").order_by("asked_at", "pk")


def my_waiting(*, user) -> QuerySet[Question]:
    return visible(user, Question).filter(status=QuestionStatus.WAITING, asked_by=user).order_by("-asked_at")


def review_due_before(today: date | None = None) -> date:
    return (today or timezone.localdate()) - REVIEW_AFTER


def needs_review(question: Question, today: date | None = None) -> bool:
    return question.reviewed_on is not None and question.reviewed_on < review_due_before(today)


def to_review(queryset: QuerySet[Question], today: date | None = None) -> QuerySet[Question]:
    return queryset.filter(status=QuestionStatus.PUBLISHED, reviewed_on__lt=review_due_before(today))


def categories() -> list[Category]:
    return list(Category.objects.all())


def tags_in_use(*, user) -> QuerySet[Tag]:
    return Tag.objects.filter(questions__in=published(user=user)).distinct().order_by("name")


def my_votes(*, user, question_ids) -> dict[int, bool]:
    return dict(visible(user, Vote).filter(question_id__in=question_ids).values_list("question_id", "useful"))


def experts(*, user) -> QuerySet[Expert]:
    """The experts of the provinces the user's staff role covers (all of them for administrators)."""
    return visible(user, Expert).select_related("user", "province").order_by("province__name", "user__last_name")


def expert_for(*, user, pk) -> Expert:
    return get_for_user_or_404(user, experts(user=user), pk=pk)


def people_of(province_ids) -> QuerySet[User]:
    """The operators who work in these provinces (active memberships of an office, a district or a provider there);
    ``None``: in any province."""
    people = User.objects.filter(is_active=True, memberships__is_active=True)
    if province_ids is None:
        people = people.filter(
            Q(memberships__office__isnull=False)
            | Q(memberships__district__isnull=False)
            | Q(memberships__provider__isnull=False)
        )
    else:
        people = people.filter(
            Q(memberships__office__district__province_id__in=province_ids)
            | Q(memberships__district__province_id__in=province_ids)
            | Q(memberships__provider__province_id__in=province_ids)
        )
    return people.distinct().order_by("last_name", "first_name", "email")


# --- The search -------------------------------------------------------------------------------------------------------


@dataclass
class Hit:
    question: Question
    snippet: SafeString


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text.lower()) if len(w) >= 3 and w not in _STOPWORDS and not w.isdigit()]


def _stem(word: str) -> str:
    """A poor man's Italian stem: the word without its last vowel ("richiesta", "richieste" → "richiest")."""
    return word[:-1] if len(word) > 4 and word[-1] in "aeiouàèéìòù" else word


def _marked(fragment: str) -> SafeString:
    escaped = html.escape(fragment)
    return mark_safe(escaped.replace(html.escape(_START), "<mark>").replace(html.escape(_STOP), "</mark>"))  # noqa: S308 (escaped above)


def _python_snippet(text: str, stems: list[str], width: int = 220) -> SafeString:
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE) if stems else None
    match = pattern.search(text) if pattern else None
    start = max(0, (match.start() if match else 0) - width // 3)
    if start:  # begin and end on whole words
        start = text.find(" ", start) + 1 or start
    fragment = text[start : start + width]
    if start + width < len(text) and " " in fragment:
        fragment = fragment[: fragment.rfind(" ")]
    prefix, suffix = ("… " if start else ""), (" …" if start + width < len(text) else "")
    escaped = html.escape(fragment)
    if pattern:
        escaped = pattern.sub(lambda m: f"<mark>{m.group()}</mark>", escaped)
    return mark_safe(prefix + escaped + suffix)  # noqa: S308 (escaped above)


def _postgres_search(queryset: QuerySet[Question], text: str, *, any_word: bool) -> QuerySet[Question]:
    if any_word:
        query = None
        for word in _words(text):
            part = SearchQuery(word, config="italian")
            query = part if query is None else query | part
        if query is None:
            return queryset.none()
    else:
        query = SearchQuery(text, config="italian", search_type="websearch")
    return (
        queryset.filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                Concat("body", Value(" "), "answer_text", output_field=TextField()),
                query,
                config="italian",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-answered_at", "-pk")
    )


def _fallback_search(queryset: QuerySet[Question], text: str, *, any_word: bool) -> QuerySet[Question]:
    stems = [_stem(w) for w in _words(text)]
    if not stems:
        return queryset.none()
    conditions = [
        Q(title__icontains=s) | Q(body__icontains=s) | Q(answer_text__icontains=s) | Q(tag_names__icontains=s)
        for s in stems
    ]
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = (combined | condition) if any_word else (combined & condition)
    score = Value(0)
    for s in stems:
        score = score + Case(When(title__icontains=s, then=Value(4)), default=Value(0), output_field=IntegerField())
        score = score + Case(When(tag_names__icontains=s, then=Value(2)), default=Value(0), output_field=IntegerField())
        score = score + Case(
            When(Q(body__icontains=s) | Q(answer_text__icontains=s), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return queryset.filter(combined).annotate(rank=score).order_by("-rank", "-answered_at", "-pk")


def search(queryset: QuerySet[Question], text: str, *, any_word: bool = False, limit: int = 50) -> list[Hit]:
    """The questions of ``queryset`` matching ``text``, best first, each with a snippet where the words are marked.
    ``any_word``: a question with some of the words counts (the suggestions while a question is typed)."""
    text = (text or "").replace("\x00", "")[:QUERY_MAX].strip()
    if not text:
        return []
    if connection.vendor == "postgresql":
        rows = list(_postgres_search(queryset, text, any_word=any_word)[:limit])
        return [Hit(question=row, snippet=_marked(row.headline or "")) for row in rows]
    rows = list(_fallback_search(queryset, text, any_word=any_word)[:limit])
    stems = [_stem(w) for w in _words(text)]
    return [Hit(question=row, snippet=_python_snippet(f"{row.body} {row.answer_text}".strip(), stems)) for row in rows]


def suggestions(*, user, text: str) -> list[Hit]:
    """Published answers close to a question being typed: any of its words, best first."""
    if len(_words(text)) == 0:
        return []
    return search(published(user=user), text, any_word=True, limit=SUGGESTIONS)


# --- Accountability ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    asked: int
    answered: int
    waiting_at_end: int
    median_days_to_answer: float | None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def figures(province: Province, start: date, end: date) -> Figures:
    """The FAQ in a period (both days included) for the province's report: questions asked, questions answered,
    the median time from question to answer (in days, of those answered in the period), questions still waiting at
    the end of the period."""
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    rows = Question.objects.filter(province=province)
    asked = rows.filter(asked_at__gte=since, asked_at__lt=until).count()
    answered = list(rows.filter(answered_at__gte=since, answered_at__lt=until).values_list("asked_at", "answered_at"))
    waiting_at_end = rows.filter(asked_at__lt=until).filter(Q(answered_at__isnull=True) | Q(answered_at__gte=until))
    durations = [(done - asked_at).total_seconds() / 86400 for asked_at, done in answered]
    return Figures(
        asked=asked,
        answered=len(answered),
        waiting_at_end=waiting_at_end.count(),
        median_days_to_answer=round(statistics.median(durations), 1) if durations else None,
    )
