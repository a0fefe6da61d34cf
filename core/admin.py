from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import PendingTask


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    list_display = ["task", "args", "created_at", "attempts", "next_attempt_at", "last_error"]
    readonly_fields = ["task", "args", "created_at", "attempts", "last_error"]
    actions = ["send_now"]

    @admin.action(description=gettext_lazy("Send to the background service now"))
    def send_now(self, request, queryset):
        from .outbox import send

        sent = sum(1 for pk in queryset.values_list("pk", flat=True) if send(pk))
        self.message_user(request, _("%(sent)s of %(total)s sent.") % {"sent": sent, "total": queryset.count()})
