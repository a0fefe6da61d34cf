from django.urls import path

from . import public_views

app_name = "seminar_public"

urlpatterns = [
    path("conferma/<str:token>/", public_views.confirm, name="confirm"),
    path("annulla/<str:token>/", public_views.cancel, name="cancel"),
    path("<slug:slug>/", public_views.event, name="event"),
    path("<slug:slug>/privacy/", public_views.privacy, name="privacy"),
]
