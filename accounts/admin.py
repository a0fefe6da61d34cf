from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import District, Funder, Invitation, Membership, Office, Provider, Province, User

# The admin's own login form would bypass allauth (rate limits, and later the second factor): use allauth's.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Mediazione · administration")
admin.site.site_title = _("Mediazione")


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["role", "office", "district", "provider", "districts", "province", "funder", "is_active"]
    autocomplete_fields = ["office", "district", "provider", "province", "funder"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "managing_body", "province"]
    list_filter = ["province"]
    search_fields = ["name", "managing_body"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "district"]
    list_filter = ["kind", "district__province", "district"]
    search_fields = ["name"]
    list_select_related = ["district"]

    def get_readonly_fields(self, request, obj=None):
        # An office with requests keeps its district: each of their appointments keeps it too
        # (scheduling.models.Appointment.district), and the district's timesheets and scope read it there.
        if obj is not None and obj.requests.exists():
            return ["district"]
        return []


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "email"]
    list_filter = ["province"]
    search_fields = ["name"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["provinces"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "office", "district", "provider", "province", "funder", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__last_name"]
    autocomplete_fields = ["user", "office", "district", "provider", "province", "funder"]
    list_select_related = ["user", "office", "district", "provider", "province", "funder"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = ["key", "created_at", "sent_at", "accepted_at", "membership"]
    autocomplete_fields = ["invited_by", "office", "district", "provider", "province", "funder"]
