"""Pages of the audit app: the read audit, a mediator's own data, the erasure of a mediator's personal data.

Thin views: reads through selectors (scoped by accounts.scoping), writes through services.
"""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from accounts.models import Role
from accounts.permissions import role_required
from core.pagination import KeysetPaginator

from . import selectors
from .filters import ReadEventFilter
from .models import ReadEvent

PAGE_SIZE = 50

# Where an audited object's page is, by kind: the audit links to it (the reader of the audit may or may not see it).
OBJECT_URLS = {
    ReadEvent.Kind.REQUEST: "requests:detail",
    ReadEvent.Kind.APPOINTMENT: "scheduling:appointment",
    ReadEvent.Kind.SERIES: "scheduling:series",
    ReadEvent.Kind.SESSION_REPORT: "sessions:report",
    ReadEvent.Kind.OWN_DATA: "mediators:detail",
    ReadEvent.Kind.ERASURE: "mediators:detail",
}


_MARK = 987654321


def _object_url(event: ReadEvent, prefixes: dict[str, tuple[str, str] | None]) -> str:
    """The address of the audited object's page. Each kind's address is reversed once per page (``prefixes``: its
    parts around the id), not once per row."""
    name = OBJECT_URLS.get(event.kind)
    if not name or event.object_id is None:
        return ""
    if name not in prefixes:
        try:
            before, _mark, after = reverse(name, args=[_MARK]).partition(str(_MARK))
        except NoReverseMatch:
            prefixes[name] = None
        else:
            prefixes[name] = (before, after)
    parts = prefixes[name]
    return f"{parts[0]}{event.object_id}{parts[1]}" if parts else ""


@role_required(Role.PROVINCE_STAFF)
def audit_list(request):
    filterset = ReadEventFilter(request.GET or None, queryset=selectors.read_events(user=request.user))
    # An invalid filter (an impossible date, an unknown kind) shows its message and the whole list, never a 500.
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    # The latest first, a page found from its neighbour's row (core.pagination): a province's page reads its rows
    # from the index of the province and the time, and the count stops at 1,000 ("more than 1,000 entries").
    page = KeysetPaginator(queryset, ["at"], descending=True, per_page=PAGE_SIZE).page(request.GET)
    prefixes: dict[str, tuple[str, str] | None] = {}
    rows = [(event, _object_url(event, prefixes)) for event in page]
    return render(request, "audit/list.html", {"filter": filterset, "page": page, "rows": rows})
