from django.urls import path

from . import calendar_views, form_views, report_views, scheduling_views, views

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
    path("richieste/<int:pk>/candidati/", scheduling_views.candidates, name="candidates"),
    path("richieste/<int:pk>/appuntamenti/", scheduling_views.appointment_plan, name="plan"),
    path("richieste/<int:pk>/<slug:action>/", views.request_transition, name="transition"),
    path("offerte/", scheduling_views.my_offers, name="offers"),
    path("offerte/risposta/<str:token>/", scheduling_views.offer_link, name="offer_link"),
    path("appuntamenti/<int:pk>/", scheduling_views.appointment_detail, name="appointment"),
    path("appuntamenti/serie/<int:pk>/", scheduling_views.series_detail, name="series"),
    path("calendario/", calendar_views.agenda, name="calendar"),
    path("calendario/indirizzo/<int:pk>/", calendar_views.calendar_token_reset, name="calendar_token_reset"),
    path("calendario/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path("notifiche/", views.notification_list, name="notifications"),
    path("notifiche/lette/", views.notifications_read, name="notifications_read"),
    # Session reports and evaluations (under their own prefixes: richieste/<pk>/<action>/ is the transitions').
    path("appuntamenti/<int:pk>/resoconto/", report_views.report_write, name="report_write"),
    path("resoconti/", report_views.report_list, name="reports"),
    path("resoconti/<int:pk>/", report_views.report_detail, name="report"),
    path("resoconti/richiesta/<int:pk>/conclusa/", report_views.request_complete, name="request_complete"),
    path("valutazioni/", report_views.evaluation_averages, name="evaluation_averages"),
    path("valutazioni/richiesta/<int:pk>/", report_views.evaluate, name="evaluate"),
]
