"""Admins keep the entries here and import them from Excel/CSV (the list's 「从 Excel 导入」 link)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from . import services
from .models import Entry


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 或 CSV 文件", help_text="列：" + "、".join(services.HEADERS))


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "policy_source", "valid_until", "active", "updated_at")
    list_filter = ("category", "active", "origin")
    search_fields = ("question", "answer", "policy_source")
    change_list_template = "knowledge/admin_changelist.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="knowledge_entry_import"),
                *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:knowledge_entry_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.import_entries(upload.read(), name=upload.name)
            except services.ImportFileError as exc:
                messages.error(request, f"文件无法读取，未导入任何条目：{exc}")
            else:
                messages.success(request, result.report)
        return TemplateResponse(request, "knowledge/admin_import.html", {
            **self.admin_site.each_context(request), "form": form, "result": result,
            "opts": self.model._meta, "title": "从 Excel 导入知识条目",
        })
