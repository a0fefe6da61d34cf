from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("mappatura/", views.entry_list, name="entries"),
    path("mappatura/nuova/", views.entry_create, name="entry_create"),
    path("mappatura/esporta.zip", views.export, name="export"),
    path("mappatura/importa/", views.import_upload, name="import"),
    path("mappatura/<uuid:pk>/", views.entry_detail, name="entry"),
    path("mappatura/<uuid:pk>/modifica/", views.entry_edit, name="entry_edit"),
    path("mappatura/<uuid:pk>/<slug:action>/", views.entry_action, name="entry_action"),
    path("opuscoli/", views.edition_list, name="editions"),
    path("opuscoli/<uuid:pk>/scarica/", views.edition_download, name="edition_download"),
    path("traduzioni/", views.task_list, name="tasks"),
    path("traduzioni/nuova/", views.task_create, name="task_create"),
    path("traduzioni/<int:pk>/", views.task_detail, name="task"),
    path("traduzioni/<int:pk>/<slug:action>/", views.task_action, name="task_action"),
]
