"""/intake/import/: dispatchers upload a hotline export; the result and the row-level report are shown."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from youhu.access.keys import create_api_key, revoke_api_key
from youhu.access.models import ApiKey
from youhu.directory.models import Role
from youhu.tickets.models import Channel

from .importing import OUTCOMES, ImportFileError, ImportOptions, import_appeals
from .models import ImportBatch

UPLOAD_MAX_BYTES = 50 * 1024 * 1024
REPORT_ROWS_SHOWN = 200
SHOWN = {"rejected", "implausible"}  # and rows stored with a warning
IMPORT_ROLES = (Role.DISPATCHER, Role.ADMIN)


class ImportForm(forms.Form):
    file = forms.FileField(label="导出文件（CSV 或 XLSX）")
    fmt = forms.ChoiceField(label="格式", choices=[("auto", "按扩展名识别"), ("csv", "CSV"), ("xlsx", "XLSX")])
    encoding = forms.ChoiceField(label="CSV 编码", choices=[("auto", "自动识别"), ("utf-8", "UTF-8"), ("gbk", "GBK")])
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices, initial=Channel.HOTLINE)
    source = forms.SlugField(label="来源标识（可选，默认取文件名）", required=False, max_length=24)
    receipts = forms.BooleanField(label="向留有手机号的诉求人发送受理短信", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError("文件不能超过 50MB")
        return upload


def _require_importer(request: HttpRequest) -> None:
    if not request.user.has_role(*IMPORT_ROLES):
        raise PermissionDenied("只有派单员可以导入")


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = ImportOptions(channel=data["channel"], fmt=data["fmt"], encoding=data["encoding"],
                                source=data["source"], receipts=data["receipts"])
        try:
            result = import_appeals(data["file"].read(), name=data["file"].name, options=options, by=request.user)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("intake:import_result", pk=result.batch.pk)
    recent = ImportBatch.objects.all()[:10]
    return render(request, "intake/import.html", {"form": form, "recent": recent},
                  status=400 if form.errors else 200)


@login_required
def import_result(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = get_object_or_404(ImportBatch, pk=pk)
    rows = [r for r in csv.DictReader(io.StringIO(batch.report_csv)) if r.get("outcome") in SHOWN or r.get("reason")]
    return render(request, "intake/import_result.html",
                  {"batch": batch, "outcomes": OUTCOMES, "rows": rows[:REPORT_ROWS_SHOWN], "more": max(0, len(rows) - REPORT_ROWS_SHOWN)})


@login_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = get_object_or_404(ImportBatch, pk=pk)
    response = HttpResponse("\ufeff" + batch.report_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}.report.csv"'
    return response


class KeyForm(forms.Form):
    name = forms.CharField(label="用途（如：网格 App）", max_length=64, required=False)


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    """Each staff user's own API keys: create (the secret is shown once) and revoke."""
    form = KeyForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        secret = create_api_key(request.user, name=form.cleaned_data["name"]).secret
        form = KeyForm()
    keys = ApiKey.objects.filter(user=request.user)
    return render(request, "intake/api_keys.html", {"form": form, "keys": keys, "secret": secret})


@login_required
@require_POST
def revoke_key(request: HttpRequest, pk: int) -> HttpResponse:
    revoke_api_key(get_object_or_404(ApiKey, pk=pk, user=request.user))
    messages.success(request, "密钥已吊销")
    return redirect("intake:api_keys")
