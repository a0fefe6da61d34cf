from django.urls import path

from . import public_views

app_name = "guide_public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<slug:slug>/", public_views.province, name="province"),
    path("<slug:slug>/opuscoli/", public_views.editions, name="editions"),
    path("<slug:slug>/opuscoli/<uuid:pk>/", public_views.edition_download, name="edition_download"),
    path("<slug:slug>/<uuid:pk>/", public_views.entry, name="entry"),
]
