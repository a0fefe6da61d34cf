from django.urls import path, register_converter

from . import views


class MonthConverter:
    """``2026-10`` in an address ↔ 1 October 2026."""

    regex = r"20[0-9]{2}-(?:0[1-9]|1[0-2])"

    def to_python(self, value):
        from datetime import date

        year, month = value.split("-")
        return date(int(year), int(month), 1)

    def to_url(self, value):
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(MonthConverter, "month")

app_name = "timesheets"

urlpatterns = [
    path("miei/", views.my_timesheets, name="mine"),
    path("ambito/", views.district_timesheets, name="district"),
    path("ambito/approva/", views.approve_many, name="approve_many"),
    path("ambito/esporta.<str:fmt>", views.month_export, name="month_export"),
    path("enti/", views.provider_totals, name="providers"),
    path("<int:mediator>/<int:district>/<month:month>/", views.sheet, name="sheet"),
    path("<int:mediator>/<int:district>/<month:month>/<str:action>/", views.sheet_action, name="act"),
    path("<int:mediator>/<int:district>/<month:month>/esporta.<str:fmt>", views.sheet_export, name="export"),
]
