from django import forms
from django.contrib import admin

from youhu import clock
from youhu.tickets.errors import InvalidInput

from .models import Building, Company, CompanyDemand, Contact, CsoAssignment, Visit, VisitPlan
from .uscc import validate_uscc


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "uscc", "industry", "size", "address", "street", "building", "above_scale",
                  "specialized", "unicorn", "headquarters"]

    def clean_uscc(self) -> str:
        try:
            return validate_uscc(self.cleaned_data.get("uscc"))
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = ("name", "uscc", "industry", "building", "service_officer")
    list_filter = ("industry", "building", "above_scale", "specialized", "unicorn", "headquarters")
    search_fields = ("name", "uscc")
    # The officer changes through the company page (assign_officer), which keeps the history.
    readonly_fields = ("service_officer", "created_at", "updated_at")
    inlines = [ContactInline]

    def save_model(self, request, obj, form, change):
        now = clock.now()
        obj.created_at = obj.created_at or now
        obj.updated_at = now
        super().save_model(request, obj, form, change)


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "street")


@admin.register(CsoAssignment)
class CsoAssignmentAdmin(admin.ModelAdmin):
    list_display = ("company", "officer", "started_at", "ended_at", "assigned_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Visit)
admin.site.register(VisitPlan)
admin.site.register(CompanyDemand)
