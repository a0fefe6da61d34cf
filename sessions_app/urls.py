from django.urls import path

from . import views

app_name = "sessions"

urlpatterns = [
    path("appuntamenti/<int:pk>/resoconto/", views.report_write, name="report_write"),
    path("resoconti/", views.report_list, name="reports"),
    path("resoconti/conferma/", views.reports_confirm, name="reports_confirm"),
    path("resoconti/convalida/", views.reports_validate, name="reports_validate"),
    path("resoconti/<int:pk>/", views.report_detail, name="report"),
    path("resoconti/richiesta/<int:pk>/conclusa/", views.request_complete, name="request_complete"),
    path("valutazioni/", views.evaluation_averages, name="evaluation_averages"),
    path("valutazioni/richiesta/<int:pk>/", views.evaluate, name="evaluate"),
]
