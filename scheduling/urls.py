from django.urls import path

from . import calendar_views, series_views, views

app_name = "scheduling"

urlpatterns = [
    path("richieste/<int:pk>/candidati/", views.candidates, name="candidates"),
    path("richieste/<int:pk>/appuntamenti/", views.appointment_plan, name="plan"),
    path("offerte/", views.my_offers, name="offers"),
    path("offerte/risposta/<str:token>/", views.offer_link, name="offer_link"),
    path("appuntamenti/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appuntamenti/serie/<int:pk>/", series_views.series_detail, name="series"),
    path("appuntamenti/serie/<int:pk>/mediatore/", series_views.series_mediator, name="series_mediator"),
    path("calendario/", calendar_views.agenda, name="calendar"),
    path("calendario/ambiti/<int:pk>/<str:day>/", calendar_views.district_day, name="calendar_day"),
    path("calendario/indirizzo/<int:pk>/", calendar_views.calendar_token_reset, name="calendar_token_reset"),
    path("calendario/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
]
