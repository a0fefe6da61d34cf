from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("ruolo/", views.switch_role, name="switch_role"),
    path("lingua/", views.set_language, name="set_language"),
    path("organizzazioni/", views.organisations, name="organisations"),
    path("persone/", views.people, name="people"),
    path("persone/invita/", views.invite, name="invite"),
    path(
        "persone/inviti/<int:pk>/reinvia/",
        views.invitation_action,
        {"action": "resend"},
        name="invitation_resend",
    ),
    path(
        "persone/inviti/<int:pk>/revoca/",
        views.invitation_action,
        {"action": "revoke"},
        name="invitation_revoke",
    ),
    path("persone/ruoli/<int:pk>/disattiva/", views.membership_deactivate, name="membership_deactivate"),
    path("invito/<str:key>/", views.accept_invitation, name="invitation_accept"),
]
