from django.contrib import admin

from .models import Absence, AvailabilitySlot, Mediator, MediatorCountry, MediatorLanguage, Qualification, Training


class LanguageInline(admin.TabularInline):
    model = MediatorLanguage
    extra = 0


class CountryInline(admin.TabularInline):
    model = MediatorCountry
    extra = 0


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


class SlotInline(admin.TabularInline):
    model = AvailabilitySlot
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "provider", "is_active"]
    list_filter = ["is_active", "gender", "provider"]
    search_fields = ["last_name", "first_name", "email"]
    list_select_related = ["provider"]
    autocomplete_fields = ["user", "provider"]
    filter_horizontal = ["districts"]
    inlines = [LanguageInline, CountryInline, TrainingInline, QualificationInline, SlotInline, AbsenceInline]
