import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}

# When a logged-in session's end was last pushed back (seconds since the epoch), kept in the session itself.
RENEWED_KEY = "_renewed_at"


class SessionIdleMiddleware:
    """Ends a logged-in session ``SESSION_COOKIE_AGE`` seconds after its last request, without writing it on every one.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` would write the session (an UPDATE, and the cache) on every page only to
    push its end back. Here the session remembers when that was last done and is written again only once
    ``SESSION_RENEW_SECONDS`` have passed (or when something in it changed): a session ends after 55 to 60 idle
    minutes (of 60). A session found idle longer than that is ended here, whatever store served it (a cache entry
    that outlived it, a clock moved by the tests).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Without a session cookie there is nothing to renew (and the session is left untouched: no Vary: Cookie).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in session:
            now = int(time.time())
            renewed = session.get(RENEWED_KEY)
            if not isinstance(renewed, int) or not 0 <= now - renewed < settings.SESSION_RENEW_SECONDS:
                if isinstance(renewed, int) and now - renewed >= settings.SESSION_COOKIE_AGE:
                    session.flush()
                else:
                    session[RENEWED_KEY] = now
        return self.get_response(request)


def session_renewed_at_login(sender, request, user, **kwargs):
    """A login writes the session anyway: the idle time counts from it (connected in ``MediazioneConfig.ready``)."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_KEY] = int(time.time())


class LanguageMiddleware:
    """Italian unless the person asked otherwise.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: an office computer set up in English
    still shows the portal in Italian. The choice made with the IT/EN switch (a cookie) wins, then the language saved
    in the user's profile, then Italian.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED:
            user = getattr(request, "user", None)
            language = user.language if user is not None and user.is_authenticated else settings.LANGUAGE_CODE
        if language not in SUPPORTED:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class MFARequiredMiddleware:
    """Enforces multi-factor login, which allauth.mfa offers but does not impose.

    - A user whose current role is in ``MFA_REQUIRED_ROLES`` and who has no authenticator app is led to set one up
      from every page (the setup pages, logout, the language and role switches, static files and the health page
      stay open).
    - A user who has an authenticator but whose session never gave the code (a login that went around allauth's
      login, or a session from before the authenticator existed) is logged out and asked to log in again, which asks
      for the code.

    With ``MFA_REQUIRED_ROLES`` empty (the demo) it does nothing. Queries: none once the session gave the code;
    before that, "does the user have an authenticator?" is read from the shared cache (``mfa.has_authenticator``),
    forgotten whenever an authenticator is saved or deleted, so that one added from another session takes effect at
    once.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes: dict[str, tuple[str, ...]] | None = None

    def __call__(self, request):
        from . import mfa

        if not mfa.required_roles() or self._path_is(request.path, "always_open"):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or mfa.session_is_verified(request):
            return self.get_response(request)
        if mfa.has_authenticator(user):
            # Even the MFA pages: a session without the code must not see recovery codes or switch the app off.
            return self._log_in_again(request)
        if self._path_is(request.path, "setup"):
            response = self.get_response(request)
            if self._activated_an_app(request, response):
                # The activation form took a valid code from the app: this session has proven the second factor.
                mfa.mark_verified(request)
            return response
        if mfa.mfa_required_for(user, request.actor):
            return self._set_up(request)
        return self.get_response(request)

    @staticmethod
    def _activated_an_app(request, response) -> bool:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import is_mfa_enabled
        from django.urls import reverse

        return (
            request.method == "POST"
            and response.status_code == 302
            and request.path == reverse("mfa_activate_totp")
            and request.user.is_authenticated
            and is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
        )

    def _path_is(self, path: str, kind: str) -> bool:
        if self.prefixes is None:
            from django.urls import reverse

            self.prefixes = {
                # Open to everyone, whatever the state of their second factor.
                "always_open": (
                    reverse("account_logout"),
                    reverse("accounts:set_language"),
                    reverse("health"),
                    "/" + settings.STATIC_URL.lstrip("/"),
                    # The installable app's files (mediazione/pwa.py): nobody's data.
                    reverse("manifest"),
                    reverse("service_worker"),
                    reverse("offline"),
                    reverse("favicon"),
                ),
                # Open to someone who must set up an authenticator app and has none yet; so are the pages that
                # verify the e-mail address, which allauth asks for before an app can be added.
                "setup": (
                    reverse("mfa_index"),
                    reverse("account_reauthenticate"),
                    reverse("accounts:switch_role"),
                    reverse("account_email"),
                    reverse("account_email_verification_sent"),  # and confirm-email/<key>/ below it
                ),
            }
        return path.startswith(self.prefixes[kind])

    @staticmethod
    def _redirect(request, url: str):
        from django.http import HttpResponse, HttpResponseRedirect

        if request.headers.get("HX-Request"):
            # An htmx request would swap the setup page into a fragment: have htmx load it as a page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)

    def _set_up(self, request):
        from django.contrib import messages
        from django.urls import reverse
        from django.utils.translation import gettext as _

        if request.method == "GET" and not request.headers.get("HX-Request"):
            messages.warning(
                request,
                _(
                    "Your role requires two-factor authentication: set up an authenticator app on your phone "
                    "to continue."
                ),
            )
        return self._redirect(request, reverse("mfa_activate_totp"))

    def _log_in_again(self, request):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.urls import reverse
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        next_url = request.get_full_path() if request.method == "GET" else reverse("home")
        logout(request)
        messages.info(request, _("Log in again with the code of your authenticator app."))
        return self._redirect(request, reverse("account_login") + "?" + urlencode({"next": next_url}))


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy of ``settings.CONTENT_SECURITY_POLICY`` to every response.

    Django 5.2 has no CSP of its own. No nonces: the templates hold no inline script at all (tests/test_csp.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", {})
        self.value = "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in policy.items())
        self.header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.value and "Content-Security-Policy" not in response.headers:
            response.headers[self.header] = self.value
        return response
