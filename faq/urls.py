from django.urls import path

from . import views

app_name = "faq"

urlpatterns = [
    path("", views.faq_list, name="list"),
    path("suggerimenti/", views.suggest, name="suggest"),
    path("nuova/", views.ask, name="ask"),
    path("in-attesa/", views.waiting, name="waiting"),
    path("esperti/", views.experts, name="experts"),
    path("esperti/<int:pk>/fine/", views.expert_remove, name="expert_remove"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/risposta/", views.answer, name="answer"),
    path("<int:pk>/voto/", views.vote, name="vote"),
    path("<int:pk>/rivista/", views.reviewed, name="reviewed"),
]
