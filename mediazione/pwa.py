"""The portal as an installable app on a phone (issue 16): the web manifest, the service worker, the offline page.

The service worker (templates/pwa/sw.js) is served from the site's root so that its scope is the whole portal. It
keeps the app shell (CSS, scripts, fonts, icons, the offline page) and, for reading in a basement without signal,
the calendar and appointment pages the person opened. It never answers a page from its copy while the network
answers; the copies are deleted when the person logs out, and whenever a page arrives for somebody else or for
nobody (the ``X-Offline-Owner`` header, set by ``offline_owner`` below).
"""

import hashlib
import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

THEME_COLOR = "#0066cc"
FONTS = [
    f"vendor/bootstrap-italia/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-{weight}.woff2"
    for weight in ("300", "regular", "600", "700")
]
SHELL = [
    "vendor/bootstrap-italia/css/bootstrap-italia.min.css",
    "css/portal.css",
    "vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/portal.js",
    "vendor/bootstrap-italia/svg/sprites.svg",
    "icons/icon-192.png",
    "icons/favicon-32.png",
]
# Pages kept for reading offline, as URL patterns the worker understands (JavaScript regular expressions).
OFFLINE_PAGES = [r"^/calendario/$", r"^/appuntamenti/\d+/$"]
OWNER_HEADER = "X-Offline-Owner"


def offline_owner(user) -> str:
    """An opaque key of the person a page was made for: the worker keeps its copies for one key at a time."""
    return salted_hmac("mediazione.pwa.offline-owner", str(user.pk)).hexdigest()[:20]


class OfflineOwnerMiddleware:
    """Tells the service worker whose page this is (or that it is nobody's): it drops its copies when that changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            user = getattr(request, "user", None)
            response[OWNER_HEADER] = offline_owner(user) if user is not None and user.is_authenticated else "none"
        return response


@require_safe
@cache_control(max_age=86400, public=True)
def manifest(request):
    data = {
        "name": _("Mediazione · linguistic-cultural mediation"),
        "short_name": settings.SITE_NAME,
        "description": _("Requests, mediators and sessions in one place"),
        "lang": request.LANGUAGE_CODE,
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    response["Vary"] = "Cookie"
    return response


@require_safe
@never_cache
def service_worker(request):
    shell = [static(path) for path in SHELL + FONTS] + [reverse("offline")]
    # The cache's name changes with the shell (hashed file names in production): a new version replaces the old one.
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    context = {
        "shell_json": json.dumps(shell),
        "pages_json": json.dumps(OFFLINE_PAGES),
        "version": version,
        "offline_url_json": json.dumps(reverse("offline")),
        "logout_url_json": json.dumps(reverse("account_logout")),
        "owner_header_json": json.dumps(OWNER_HEADER),
        "static_prefix_json": json.dumps(static("")),
    }
    response = render(request, "pwa/sw.js", context, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request):
    """Shown by the service worker when a page cannot be reached and was not kept. The same for everybody: it holds no
    one's data (the worker stores it at install time)."""
    return render(request, "pwa/offline.html")


@require_safe
def favicon(request):
    return redirect(static("icons/favicon.ico"), permanent=True)
