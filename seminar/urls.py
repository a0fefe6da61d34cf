from django.urls import path

from . import views

app_name = "seminar"

urlpatterns = [
    path("", views.seminar_list, name="list"),
    path("nuovo/", views.seminar_create, name="create"),
    path("<int:pk>/", views.seminar_detail, name="detail"),
    path("<int:pk>/modifica/", views.seminar_edit, name="edit"),
    path("<int:pk>/accoglienza/", views.check_in_list, name="check_in_list"),
    path("<int:pk>/accoglienza/<int:registration_pk>/", views.check_in, name="check_in"),
]
