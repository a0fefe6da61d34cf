from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("miei/", views.mine, name="mine"),
    path("nuovo/", views.course_create, name="create"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/sessioni/nuova/", views.session_add, name="session_add"),
    path("<int:pk>/candidature/", views.nominate, name="nominate"),
    path("<int:pk>/attestati/", views.certificates_issue, name="certificates_issue"),
    path("candidature/<int:pk>/conferma/", views.confirm, name="confirm"),
    path("candidature/<int:pk>/ritiro/", views.withdraw, name="withdraw"),
    path("candidature/<int:pk>/attestato.pdf", views.certificate, name="certificate"),
    path("sessioni/<int:pk>/presenze/", views.attendance, name="attendance"),
    path("sessioni/<int:pk>/foglio-firme.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("rinuncia/<str:token>/", views.decline, name="decline"),
]
