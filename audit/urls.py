from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("registro/", views.audit_list, name="list"),
]
