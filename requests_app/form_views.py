"""The request form: create and edit drafts, language search, proposed times. (Being written.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


request_create = request_edit = language_search = slot_row = _todo
