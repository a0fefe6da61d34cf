from django.contrib import admin
from django.http import Http404
from django.urls import include, path

from mediazione import home, pwa, views


def _no_signup(request, *args, **kwargs):
    # No open sign-up: people join through invitations (accounts.services.invitation_create).
    raise Http404


urlpatterns = [
    path("", home.home, name="home"),
    path("health/", views.health, name="health"),
    # The installable app (mediazione/pwa.py): the worker at the root, so that its scope is the whole portal.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("accounts/signup/", _no_signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The API for other systems (api/): JSON only, its own errors; the token pages are the portal's.
    path("api/", include("api.urls")),
    path("integrazioni/token/", include("api.page_urls")),
    path("mediatori/", include("mediators.urls")),
    # The mini-guide: mapping and translations (guida/mappatura/, guida/traduzioni/), then the public pages.
    path("guida/", include("guide.urls")),
    path("guida/", include("guide.public_urls")),
    # The operators' questions and answers (faq/): never public, never the funder.
    path("domande/", include("faq.urls")),
    # The public seminar (seminar/): managed by the province's staff; the event page and the e-mail links are public.
    path("seminario/gestione/", include("seminar.urls")),
    path("seminario/", include("seminar.public_urls")),
    # The training course (training/): the province's staff, the districts' coordinators, the nominees.
    path("corsi/", include("training.urls")),
    path("privacy/", include("audit.urls")),
    path("privacy/", include("privacy.urls")),
    path("rendicontazione/", include("reporting.urls")),
    path("fogli-ore/", include("timesheets.urls")),
    # Before requests_app: its richieste/<pk>/<action>/ (a transition) would otherwise take richieste/<pk>/candidati/.
    path("", include("scheduling.urls")),
    path("", include("sessions_app.urls")),
    path("", include("notifications.urls")),
    path("", include("requests_app.urls")),
    path("", include("accounts.urls")),
]

handler400 = "mediazione.views.bad_request"
handler403 = "mediazione.views.permission_denied"
handler404 = "mediazione.views.page_not_found"
handler500 = "mediazione.views.server_error"
