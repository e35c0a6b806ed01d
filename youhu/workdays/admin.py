from django.contrib import admin

from . import calendar
from .models import CalendarDay, CalendarYear, DistrictDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind", "source")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        obj.source = CalendarDay.Source.ADMIN
        super().save_model(request, obj, form, change)
        calendar.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar.invalidate()


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "confirmed", "note")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar.invalidate()


@admin.register(DistrictDay)
class DistrictDayAdmin(admin.ModelAdmin):
    list_display = ("district", "date", "kind", "name")
    list_filter = ("district", "kind")
    date_hierarchy = "date"
