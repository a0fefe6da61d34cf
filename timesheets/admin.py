from django.contrib import admin

from .models import ProvinceTimesheetSettings, Rate, Reminder, Timesheet


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ["provider", "valid_from", "valid_until", "hourly_rate", "km_rate", "travel_hourly_rate"]
    list_filter = ["provider"]

    def get_readonly_fields(self, request, obj=None):
        # A rate is added from a date, never changed: approved months keep their costs. It can only be closed.
        if obj is None:
            return []
        return ["provider", "valid_from", "hourly_rate", "km_rate", "travel_hourly_rate", "late_cancellation_percent"]


@admin.register(Timesheet)
class TimesheetAdmin(admin.ModelAdmin):
    list_display = ["mediator", "district", "month", "status", "submitted_at", "approved_at"]
    list_filter = ["status", "district"]

    def has_add_permission(self, request):
        # Timesheets are written by timesheets.services only.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "appointment", "sent_on"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProvinceTimesheetSettings)
class ProvinceTimesheetSettingsAdmin(admin.ModelAdmin):
    list_display = ["province", "counts_translation_work"]
