import datetime as dt

from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class AttentionFilter(admin.SimpleListFilter):
    """The jobs an administrator should look at: failed, silent while "running", or not taken by the background
    service."""

    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("stuck", _("Stuck (running without a sign of life, or never taken by the background service)")),
            ("failed", _("Failed")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "stuck":
            silent_since = now - dt.timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)
            unsent_since = now - dt.timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
            return queryset.filter(
                Q(status=ReportJob.Status.RUNNING, heartbeat_at__lt=silent_since)
                | Q(status=ReportJob.Status.QUEUED, enqueued_at__isnull=True, created_at__lt=unsent_since)
            )
        if self.value() == "failed":
            return queryset.filter(status=ReportJob.Status.FAILED)
        return queryset


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "province",
        "project",
        "format",
        "status",
        "progress",
        "attempts",
        "heartbeat_at",
        "enqueued_at",
        "created_at",
        "error",
    ]
    list_filter = [AttentionFilter, "status", "format", "province"]
    readonly_fields = ["id", "created_at", "started_at", "finished_at", "attempts", "heartbeat_at", "enqueued_at"]
    actions = ["send_again"]

    @admin.action(description=_("Send the waiting jobs to the background service now"))
    def send_again(self, request, queryset):
        from .services import report_job_dispatch

        waiting = queryset.filter(status=ReportJob.Status.QUEUED).values_list("pk", flat=True)
        sent = sum(1 for pk in waiting if report_job_dispatch(job_id=pk))
        self.message_user(request, _("%(sent)s of %(total)s sent.") % {"sent": sent, "total": len(waiting)})
