"""The region benchmark's URLconf (bench.settings only): the portal's pages, and the bare-SQL views beside them."""

from django.urls import include, path

from bench.bare import bare

urlpatterns = [
    path("bench/bare/<slug:name>/", bare, name="bench_bare"),
    path("", include("mediazione.urls")),
]

handler400 = "mediazione.views.bad_request"
handler403 = "mediazione.views.permission_denied"
handler404 = "mediazione.views.page_not_found"
handler500 = "mediazione.views.server_error"
