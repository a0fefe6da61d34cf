"""The read audit in the admin site: read-only, like everywhere else (append-only, see audit.models)."""

from django.contrib import admin

from .models import ReadEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReadEvent)
class ReadEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "role", "kind", "object_type", "object_id", "what", "province"]
    list_filter = ["kind", "role", "province"]
    list_select_related = ["user", "province"]
    date_hierarchy = "at"
    search_fields = ["user__email", "path_hash"]
