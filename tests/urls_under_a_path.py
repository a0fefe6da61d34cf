"""The portal's addresses mounted under a path: an installation whose URLconf includes the portal's (tests)."""

from django.urls import include, path

urlpatterns = [path("portale/", include("mediazione.urls"))]
