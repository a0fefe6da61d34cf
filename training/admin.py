from django.contrib import admin

from .models import Course, Nomination, Session


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "province", "places_per_district", "threshold_percent")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("course", "starts_at", "trainer", "hours")


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ("full_name", "course", "district", "kind", "status")
    list_filter = ("status", "kind")
