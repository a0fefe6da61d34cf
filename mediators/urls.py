from django.urls import path

from . import import_views, views

app_name = "mediators"

urlpatterns = [
    path("", views.roster_list, name="list"),
    path("nuovo/", views.mediator_create, name="create"),
    path("io/", views.my_profile, name="me"),
    path("esporta.csv", views.export_csv, name="export_csv"),
    path("esporta.xlsx", views.export_xlsx, name="export_xlsx"),
    path("importa/", import_views.import_upload, name="import"),
    path("importa/conferma/", import_views.import_confirm, name="import_confirm"),
    path("<int:pk>/", views.mediator_detail, name="detail"),
    path("<int:pk>/modifica/", views.mediator_edit, name="edit"),
    path("<int:pk>/contatti/", views.contacts_edit, name="contacts"),
    path("<int:pk>/disponibilita/", views.availability_edit, name="availability"),
]
