from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Area, District, RoleGrant, Unit, User


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    search_fields = ("name", "code")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "district")
    list_filter = ("kind", "district")
    search_fields = ("name", "code", "aliases")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "area", "district", "active")
    list_filter = ("kind", "active", "district")
    search_fields = ("name", "code")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleGrantInline]
    list_display = ("username", "display_name", "unit", "is_active")
    list_filter = ("unit__kind", "role_grants__role")
    fieldsets = (*BaseUserAdmin.fieldsets, ("单位", {"fields": ("unit", "display_name", "phone")}))
