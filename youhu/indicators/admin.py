from django.contrib import admin

from .models import Entity, Period


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "building", "area", "unit", "active")
    list_filter = ("kind", "active")


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "start", "end", "deadline")
