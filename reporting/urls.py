from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.jobs, name="jobs"),
    path("report/<uuid:pk>/", views.job_detail, name="job"),
    path("report/<uuid:pk>/stato/", views.job_status, name="job_status"),
    path("report/<uuid:pk>/scarica/", views.job_download, name="job_download"),
    path("report/<uuid:pk>/di-nuovo/", views.job_repeat, name="job_repeat"),
    path("imputa/<int:pk>/", views.charge, name="charge"),
    path("progetti/", views.project_list, name="projects"),
    path("progetti/<int:pk>/", views.project_detail, name="project"),
    path("progetti/<int:pk>/azioni/<slug:section>/", views.project_section, name="project_section"),
]
