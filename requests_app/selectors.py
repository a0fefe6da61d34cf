"""Scoped reads of requests, and what a user may do with one."""

from __future__ import annotations

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
)

from accounts.models import Membership, Office, Role, User
from accounts.scoping import actor_for, one_for_user_or_404, visible
from core import cached_sets
from core.text_lists import items, text_list
from core.together import prefetch_together
from mediators.languages import ListedLanguage

from .models import QUEUE_ORDER, Comment, MediationRequest, OfficeLanguage, RequestLanguage, Status
from .transitions import TRANSITIONS, Transition

# What a row of the request lists shows: never the goal, the place or the sensitive notes (long texts the list does
# not show, which would only make every row the database reads and sends longer).
LIST_FIELDS = (
    "case_code",
    "office__name",
    "office__district__name",
    "service_kind",
    "setting",
    "urgency",
    "deadline",
    "status",
    "assigned_mediator__first_name",
    "assigned_mediator__last_name",
    "created_at",
    "submitted_at",
)


def request_list(*, user) -> QuerySet[MediationRequest]:
    """The requests a user sees, with what a list shows, in a fixed number of queries."""
    return (
        visible(user, MediationRequest)
        .select_related("office__district", "assigned_mediator")
        .only(*LIST_FIELDS)
        # In the row's own query (core.text_lists; :func:`with_row_languages` makes the list a row shows): prefetched,
        # they cost a query and a model instance each (issue #17).
        .annotate(language_text=_languages(OuterRef("pk")))
    )


def with_row_languages(rows: list[MediationRequest]) -> list[MediationRequest]:
    """The rows of :func:`request_list` with ``language_list``: their languages in the order they were entered."""
    for row in rows:
        row.language_list = _listed(row.language_text)
    return rows


def list_order(role: str) -> tuple[list, bool]:
    """The order of a role's request list, as keyset keys (core.pagination) and whether it runs from the largest.
    Each is served by an index of MediationRequest.Meta."""
    if role == Role.COORDINATOR:
        # Urgent first (earliest deadline first), then the nearest deadline, then the oldest.
        return [key() for key in QUEUE_ORDER], False
    if role == Role.SOCIAL_WORKER:
        # The office's own list, drafts included: the newest first.
        return ["created_at"], True
    # Province staff and administrators: the most recently submitted first.
    return [QUEUE_ORDER[-1]()], True


def list_partition(*, user) -> tuple[str, QuerySet]:
    """The request lists are read office by office (core.pagination), each from an index that starts with the
    office (MediationRequest.Meta.indexes): no index over the whole region tempts the database to walk past
    other provinces' rows. Administrators, who see every office, read the first rows of each of them."""
    actor = actor_for(user)
    return ("office_id", Office.objects.all() if actor.is_admin else visible(user, Office))


def with_language_list(queryset: QuerySet, *, request: str = "pk") -> QuerySet:
    """``queryset`` with ``language_list``: the languages of its request (``request`` names it from the row), read in
    the same query instead of one more query per list (see ``language_list()``)."""
    return queryset.annotate(language_list=_languages(OuterRef(request)))


def _languages(request) -> Subquery:
    """An annotation: a request's languages (``request``: an ``OuterRef`` to its id) as one string, in the order they
    were entered (on PostgreSQL; SQLite keeps the order it reads them in)."""
    languages = RequestLanguage.objects.filter(request_id=request)
    return text_list(languages, "request_id", "code", "variant", ordering=("pk",))


def language_list(request: MediationRequest) -> list[RequestLanguage | ListedLanguage]:
    """The languages of a request annotated by ``with_language_list()`` (else read from the database)."""
    if not hasattr(request, "language_list"):
        return list(request.languages.all())
    return _listed(request.language_list)


def _listed(text: str | None) -> list[ListedLanguage]:
    """The languages of one of :func:`_languages`' strings, as a row shows them (code, variant, name)."""
    return [ListedLanguage(*item) for item in items(text)]


def queue_order(queryset: QuerySet[MediationRequest]) -> QuerySet[MediationRequest]:
    """The coordinators' queue: urgent first (earliest deadline first), then the oldest submitted."""
    return queryset.order_by(*(key() for key in QUEUE_ORDER), "pk")


def _request_page(requests):
    return (
        requests.select_related("office__district__province", "requester")
        # The code of the request it was copied from, as a scalar subquery: a join of the requests to themselves
        # (25 more columns, and the planner weighing one more table) cost the page about a millisecond.
        .annotate(
            copied_from_code=Subquery(
                MediationRequest.objects.filter(pk=OuterRef("copied_from_id")).values("case_code")
            )
        )
    )


def _request_page_for_mediator(requests):
    # can_read_sensitive_notes asks whether the reader is the assigned mediator: read with the request, not after.
    return _request_page(requests).select_related("assigned_mediator")


def request_detail(*, user, pk) -> MediationRequest:
    build = _request_page_for_mediator if actor_for(user).role == Role.MEDIATOR else _request_page
    request = one_for_user_or_404(user, MediationRequest, pk, build=build)
    # The short lists, the history with who changed it and, only for those who read the thread (may_read_thread:
    # province staff oversee requests, not what was said about a family), the comments with their authors: one query
    # (core/together.py), where prefetch_related read three.
    lists = ["languages", "countries", "slots", "history"]
    if may_read_thread(user=user, request=request):
        lists.append("comments")
    prefetch_together([request], *lists, with_related={"history": "by", "comments": "author"})
    return request


def district_coordinators(*, request: MediationRequest) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            role=Role.COORDINATOR, district_id=request.office.district_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]


def is_office_member(*, user, request: MediationRequest) -> bool:
    actor = actor_for(user)
    return actor.role == Role.SOCIAL_WORKER and request.office_id in actor.office_ids


def is_district_coordinator(*, user, request: MediationRequest) -> bool:
    actor = actor_for(user)
    return actor.role == Role.COORDINATOR and request.office.district_id in actor.district_ids


def may(*, user, request: MediationRequest, transition: Transition | str) -> bool:
    """May ``user`` apply ``transition`` to ``request`` now? The single answer used by services and pages."""
    if isinstance(transition, str):
        transition = TRANSITIONS[transition]
    if request.status not in transition.sources:
        return False
    actor = actor_for(user)
    if actor.is_admin:
        return True
    if actor.role not in transition.roles:
        return False
    if actor.role == Role.SOCIAL_WORKER:
        return is_office_member(user=user, request=request)
    if actor.role == Role.COORDINATOR:
        # A draft is the office's own business: coordinators do not even see it, so they cannot cancel it.
        return request.status != Status.DRAFT and is_district_coordinator(user=user, request=request)
    return False


def available_transitions(*, user, request: MediationRequest) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.manual and may(user=user, request=request, transition=t)]


def can_edit(*, user, request: MediationRequest) -> bool:
    """Drafts are edited by the social workers of the requesting office."""
    return request.status == "draft" and (is_office_member(user=user, request=request) or actor_for(user).is_admin)


def can_read_sensitive_notes(*, user, request: MediationRequest) -> bool:
    """Only the requesting office and, once assigned, the mediator read the sensitive notes."""
    if is_office_member(user=user, request=request):
        return True
    actor = actor_for(user)
    return (
        actor.role == Role.MEDIATOR
        and request.assigned_mediator_id is not None
        and request.assigned_mediator.user_id == user.pk
    )


def can_comment(*, user, request: MediationRequest) -> bool:
    """The thread is between the office and the district's coordinators, once the request is submitted."""
    if request.status == "draft":
        return False
    return is_office_member(user=user, request=request) or is_district_coordinator(user=user, request=request)


def may_read_thread(*, user, request: MediationRequest) -> bool:
    """The thread is the office's and the district coordinators' conversation (administrators read it too): province
    staff oversee requests, not what was said about a family."""
    return actor_for(user).is_admin or can_comment(user=user, request=request)


def can_copy(*, user, request: MediationRequest) -> bool:
    return is_office_member(user=user, request=request)


# --- The languages of the lists' filter ------------------------------------------------------------------------------

LANGUAGES_CACHE = "requests:languages:v1:office"


def _languages_of_offices(office_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Per office, the codes its requests ask for: in all of them ("all", what the office sees, drafts included)
    and in those past the draft ("submitted", what the district and the province see). One query, on the few rows
    of :class:`OfficeLanguage` (never on the requests)."""
    found: dict[int, dict[str, set[str]]] = {pk: {"all": set(), "submitted": set()} for pk in office_ids}
    rows = (
        OfficeLanguage.objects.filter(office_id__in=office_ids).order_by().values_list("office_id", "submitted", "code")
    )
    for office_id, submitted, code in rows:
        found[office_id]["all"].add(code)
        if submitted:
            found[office_id]["submitted"].add(code)
    return {pk: {part: sorted(codes) for part, codes in parts.items()} for pk, parts in found.items()}


def language_codes_in_requests(*, user) -> list[str]:
    """The ISO 639-3 codes asked for by the requests a user sees, for the lists' language filter.

    Kept per office in the cache (core.cached_sets) rather than read from every request of the scope on every page:
    the office's services forget it when a request's languages or its draft state change."""
    actor = actor_for(user)
    if actor.role == Role.SOCIAL_WORKER:
        offices, part = sorted(actor.office_ids), "all"
    elif actor.role in (Role.COORDINATOR, Role.PROVINCE_STAFF):
        offices, part = list(visible(user, Office).order_by().values_list("pk", flat=True)), "submitted"
    elif actor.is_admin:
        offices, part = list(Office.objects.order_by().values_list("pk", flat=True)), "all"
    else:
        return []
    per_office = cached_sets.get_per_id(
        LANGUAGES_CACHE, offices, _languages_of_offices, default={"all": [], "submitted": []}
    )
    return sorted({code for parts in per_office.values() for code in parts[part]})


def forget_request_languages(*, office_id: int) -> None:
    """Called by the services that change which languages an office's requests ask for, or a draft's state."""
    cached_sets.forget(LANGUAGES_CACHE, [office_id])


def forget_request_languages_everywhere() -> None:
    """After the menus' rows were written again (services.office_languages_rebuild)."""
    cached_sets.forget(LANGUAGES_CACHE, Office.objects.values_list("pk", flat=True))


# --- The home page's work lists (mediazione.home) --------------------------------------------------------------------


def drafts_to_finish(*, user) -> QuerySet[MediationRequest]:
    """The drafts of the user's office, oldest first: written, never submitted."""
    return (
        visible(user, MediationRequest)
        .filter(status=Status.DRAFT)
        .prefetch_related("languages")
        .order_by("created_at", "pk")
    )


ENDED = (Status.REJECTED, Status.CLOSED, Status.CANCELLED)


def questions_to_answer(*, user) -> QuerySet[MediationRequest]:
    """Requests of the user's office whose last comment was written by someone outside the office (a coordinator's
    question): the office has not answered yet. ``last_comment_at`` says since when. One query."""
    last = Comment.objects.filter(request=OuterRef("pk")).order_by("-created_at", "-pk")
    office_member = Membership.objects.filter(
        user_id=OuterRef("last_comment_by"), office_id=OuterRef("office_id"), role=Role.SOCIAL_WORKER
    )
    return (
        visible(user, MediationRequest)
        # The live statuses named (not the ended ones excluded): the index of the office and the status reads them.
        .filter(status__in=[status for status in Status if status not in ENDED])
        .annotate(
            last_comment_by=Subquery(last.values("author_id")[:1]),
            last_comment_at=Subquery(last.values("created_at")[:1]),
        )
        .filter(last_comment_by__isnull=False)
        .filter(~Exists(office_member))
        .prefetch_related("languages")
        .order_by("last_comment_at", "pk")
    )


def waiting_for_decision(*, user) -> QuerySet[MediationRequest]:
    """Submitted requests the coordinator must accept or reject: urgent first, then the nearest deadline, then the
    oldest (the queue's order)."""
    return queue_order(
        visible(user, MediationRequest)
        .filter(status=Status.SUBMITTED)
        .select_related("office")
        .prefetch_related("languages")
    )


def requests_to_close(*, user) -> QuerySet[MediationRequest]:
    """Evaluated requests the district closes, the longest waiting first."""
    return (
        visible(user, MediationRequest)
        .filter(status=Status.EVALUATED)
        .select_related("office")
        .prefetch_related("languages")
        .order_by("updated_at", "pk")
    )
