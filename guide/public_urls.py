from django.urls import path

from . import public_views

app_name = "guide_public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<slug:slug>/", public_views.province, name="province"),
    path("<slug:slug>/<uuid:pk>/", public_views.entry, name="entry"),
]
