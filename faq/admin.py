"""The FAQ's reference data and experts in the admin site. Questions and answers change only through their pages (the
services check the text for a family's data and render the answer safely)."""

from django.contrib import admin

from .models import Category, Expert, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    ordering = ["position"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["user", "province", "topic", "created_at"]
    list_filter = ["province"]
    raw_id_fields = ["user", "designated_by"]
