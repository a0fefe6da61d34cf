from django.contrib import admin

from .models import BudgetLine, Project, ProjectCharge, ProjectExpense, ProjectPartner, ReportJob


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0


class BudgetInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "funder", "lead_province", "starts_on", "ends_on", "active"]
    list_filter = ["active", "lead_province", "funder"]
    inlines = [PartnerInline, BudgetInline]


@admin.register(ProjectExpense)
class ProjectExpenseAdmin(admin.ModelAdmin):
    list_display = ["description", "project", "partner", "action", "spent_on", "amount"]
    list_filter = ["project", "action"]


@admin.register(ProjectCharge)
class ProjectChargeAdmin(admin.ModelAdmin):
    list_display = ["request", "project", "charged_by", "charged_at"]
    raw_id_fields = ["request"]


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "province", "project", "format", "audience", "status", "progress", "created_at", "expires_at"]
    list_filter = ["status", "format", "province"]
    readonly_fields = ["id", "created_at", "started_at", "finished_at", "attempts"]
