"""Request pages: lists, the request page with its timeline and thread, transitions, notifications.
(Being written.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


request_list = request_detail = request_copy = comment_add = request_transition = _todo
notification_list = notifications_read = _todo
