"""The guide's reference data in the admin site: categories, languages, and the provinces' introductions. Entries and
translations change only through the mapping and translation pages (their services keep the history and the
outdated rule)."""

from django.contrib import admin

from .models import GuideLanguage, GuideText, TaxonomyTerm


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    ordering = ["position"]


@admin.register(GuideLanguage)
class GuideLanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "native_name", "tag", "direction", "is_active", "position"]
    list_filter = ["is_active", "direction"]


@admin.register(GuideText)
class GuideTextAdmin(admin.ModelAdmin):
    list_display = ["province", "key", "title"]
