from django.contrib import admin

from .models import Comment, MediationRequest, ProposedSlot, RequestCountry, RequestLanguage, StatusChange


class LanguageInline(admin.TabularInline):
    model = RequestLanguage
    extra = 0


class CountryInline(admin.TabularInline):
    model = RequestCountry
    extra = 0


class SlotInline(admin.TabularInline):
    model = ProposedSlot
    extra = 0


class HistoryInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "by", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        # The history is written by the transition services only.
        return False


@admin.register(MediationRequest)
class MediationRequestAdmin(admin.ModelAdmin):
    list_display = ["case_code", "office", "status", "urgency", "submitted_at"]
    list_filter = ["status", "urgency", "service_kind", "setting"]
    search_fields = ["case_code"]
    list_select_related = ["office"]
    readonly_fields = ["status", "submitted_at", "created_at", "updated_at"]
    autocomplete_fields = ["office", "requester"]
    inlines = [LanguageInline, CountryInline, SlotInline, HistoryInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["request", "author", "created_at"]
    list_select_related = ["request", "author"]
