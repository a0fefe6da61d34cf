"""Pages of the audit app: the read audit, a mediator's own data, the erasure of a mediator's personal data.

Thin views: reads through selectors (scoped by accounts.scoping), writes through services.
"""

from django.shortcuts import render
from django.urls import NoReverseMatch

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import scope_key
from core.compiled import form_key
from core.pagination import KeysetPaginator
from core.urls import pk_url

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


def _object_url(event: ReadEvent) -> str:
    name = OBJECT_URLS.get(event.kind)
    if not name or event.object_id is None:
        return ""
    try:
        return pk_url(name, event.object_id)  # reversed once per kind of page, not once per row (core.urls)
    except NoReverseMatch:
        return ""


@role_required(Role.PROVINCE_STAFF)
def audit_list(request):
    filterset = ReadEventFilter(request.GET or None, queryset=selectors.read_events(user=request.user))

    def events():
        # An invalid filter (an impossible date, an unknown kind) shows its message and the whole list, never a 500.
        return filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset

    # The latest first, a page found from its neighbour's row (core.pagination): a province's page reads its rows
    # from the index of the province and the time, and the count stops at 1,000 ("more than 1,000 entries").
    # The first and last pages from SQL compiled once per reader's scope and filters (core.compiled): the queryset
    # is built only when that SQL is not kept yet.
    key = ("audit", scope_key(request.user), *form_key(filterset.form))
    paginator = KeysetPaginator(events, ["at"], model=ReadEvent, descending=True, per_page=PAGE_SIZE)
    page = paginator.page(request.GET, key=key)
    rows = [(event, _object_url(event)) for event in page]
    return render(request, "audit/list.html", {"filter": filterset, "page": page, "rows": rows})
