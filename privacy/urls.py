from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("i-miei-dati.json", views.my_data, name="my_data"),
    path("mediatori/<int:pk>/cancella/", views.mediator_erase, name="erase_mediator"),
]
