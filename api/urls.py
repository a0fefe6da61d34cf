"""/api/: the schema, its documentation and version 1 of the resources (``/api/v1/…``)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views_figures, views_guide, views_reports, views_requests, views_webhooks, views_work

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/requests/", views_requests.RequestList.as_view(), name="requests"),
    path("v1/requests/<int:pk>/", views_requests.RequestDetail.as_view(), name="request"),
    path("v1/requests/<int:pk>/submit/", views_requests.RequestSubmit.as_view(), name="request_submit"),
    path("v1/requests/<int:pk>/cancel/", views_requests.RequestCancel.as_view(), name="request_cancel"),
    path("v1/appointments/", views_work.AppointmentList.as_view(), name="appointments"),
    path("v1/appointments/<int:pk>/", views_work.AppointmentDetail.as_view(), name="appointment"),
    path("v1/session-reports/", views_work.SessionReportList.as_view(), name="session_reports"),
    path("v1/session-reports/<int:pk>/", views_work.SessionReportDetail.as_view(), name="session_report"),
    path("v1/session-reports/<int:pk>/submit/", views_work.SessionReportSubmit.as_view(), name="session_report_submit"),
    path("v1/offers/", views_work.OfferList.as_view(), name="offers"),
    path("v1/mediators/", views_figures.MediatorList.as_view(), name="mediators"),
    path("v1/indicators/", views_figures.Indicators.as_view(), name="indicators"),
    path("v1/report-jobs/", views_reports.ReportJobList.as_view(), name="report_jobs"),
    path("v1/report-jobs/<uuid:pk>/", views_reports.ReportJobDetail.as_view(), name="report_job"),
    path("v1/report-jobs/<uuid:pk>/download/", views_reports.ReportJobDownload.as_view(), name="report_job_download"),
    path("v1/report-jobs/<uuid:pk>/repeat/", views_reports.ReportJobRepeat.as_view(), name="report_job_repeat"),
    path("v1/guide/services/", views_guide.GuideServiceList.as_view(), name="guide_services"),
    path("v1/guide/services/<uuid:pk>/", views_guide.GuideServiceDetail.as_view(), name="guide_service"),
    path("v1/webhooks/", views_webhooks.WebhookList.as_view(), name="webhooks"),
    path("v1/webhooks/<int:pk>/", views_webhooks.WebhookDetail.as_view(), name="webhook"),
    path("v1/webhooks/<int:pk>/deliveries/", views_webhooks.WebhookDeliveries.as_view(), name="webhook_deliveries"),
]
