from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifiche/", views.notification_list, name="list"),
    path("notifiche/lette/", views.notifications_read, name="read"),
    path("notifiche/preferenze/", views.notification_preferences, name="preferences"),
]
