"""The page of the offer e-mail's links speaks the mediator's language, whoever's browser opens it.

The e-mail was written in the mediator's language (their account's, or Italian without an account); the page it
leads to, often opened without logging in, must not switch to the browser's Italian. Someone else logged in (a
forwarded e-mail, a shared computer) is told whose offer it is in their own session's language.
Kept apart from the view's logic (``scheduling_views.offer_link``): it only chooses the language around it.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils import translation

from .offer_links import read_token


def language_of_offer(token: str, user=None) -> str | None:
    """The language of the mediator the link was sent to, or None for a link that is not valid any more.

    None too when someone else is logged in: the page then speaks to them (whose offer this is, how to log out),
    in the language of their own session.
    """
    found = read_token(token)
    if found is None:
        return None
    mediator = found[0].mediator
    if user is not None and user.is_authenticated and mediator.user_id != user.pk:
        return None
    return mediator.user.language if mediator.user_id else settings.LANGUAGE_CODE


def in_the_mediators_language(view):
    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        language = language_of_offer(token, getattr(request, "user", None))
        if language is None:
            return view(request, token, *args, **kwargs)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, token, *args, **kwargs)
            # Rendered now, while the language is the mediator's (a TemplateResponse would render later).
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response.headers["Content-Language"] = language
        return response

    return wrapper
