"""The marks of privacy acts in the admin site: read-only, like the read audit."""

from django.contrib import admin

from audit.admin import ReadOnlyAdmin

from .models import Anonymisation, MediatorErasure


@admin.register(Anonymisation)
class AnonymisationAdmin(ReadOnlyAdmin):
    list_display = ["request", "at"]


@admin.register(MediatorErasure)
class MediatorErasureAdmin(ReadOnlyAdmin):
    list_display = ["mediator", "by", "at"]
    list_select_related = ["mediator", "by"]
