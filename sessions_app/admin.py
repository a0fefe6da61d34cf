from django.contrib import admin

from .models import Evaluation, EvaluationCriterion, EvaluationScore, SessionReport


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
