from django.contrib import admin

from .models import (
    Comment,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    MediationRequest,
    Notification,
    ProposedSlot,
    RequestCountry,
    RequestLanguage,
    SessionReport,
    StatusChange,
)


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "request", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "request"]


# --- Session reports and evaluations ----------------------------------------------------------------------------------


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(admin.ModelAdmin):
    """The shared criteria are data: each province adds, renames, orders or retires its own (a retired criterion
    keeps its past scores)."""

    list_display = ["label_it", "label_en", "province", "order", "active"]
    list_filter = ["province", "active"]
    list_editable = ["order", "active"]
    list_select_related = ["province"]


@admin.register(SessionReport)
class SessionReportAdmin(admin.ModelAdmin):
    """Read-only: reports are written, confirmed, validated and sent back through the portal's pages (services)."""

    list_display = ["appointment", "outcome", "status", "started_at", "validated_at"]
    list_filter = ["status", "outcome", "mode"]
    list_select_related = ["appointment__request"]
    search_fields = ["appointment__request__case_code"]
    exclude = ["sensitive_notes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScoreInline(admin.TabularInline):
    model = EvaluationScore
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "score", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["request", "side", "mediator", "by", "updated_at"]
    list_filter = ["side"]
    list_select_related = ["request", "mediator", "by"]
    search_fields = ["request__case_code"]
    readonly_fields = ["request", "side", "mediator", "by", "comment", "created_at", "updated_at"]
    inlines = [ScoreInline]

    def has_add_permission(self, request):
        return False
