from django.urls import path

from . import pages

app_name = "api_tokens"

urlpatterns = [
    path("", pages.token_list, name="list"),
    path("<int:pk>/revoca/", pages.token_revoke, name="revoke"),
]
