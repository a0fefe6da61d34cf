from django.urls import path

from . import form_views, views

app_name = "requests"

urlpatterns = [
    path("richieste/", views.request_list, name="list"),
    path("richieste/nuova/", form_views.request_create, name="create"),
    path("richieste/lingue/", form_views.language_search, name="language_search"),
    path("richieste/fascia/", form_views.slot_row, name="slot_row"),
    path("richieste/<int:pk>/", views.request_detail, name="detail"),
    path("richieste/<int:pk>/modifica/", form_views.request_edit, name="edit"),
    path("richieste/<int:pk>/copia/", views.request_copy, name="copy"),
    path("richieste/<int:pk>/commenti/", views.comment_add, name="comment"),
    path("richieste/<int:pk>/<slug:action>/", views.request_transition, name="transition"),
]
