"""Forms of the project pages (input checking only; the rules live in services)."""

from __future__ import annotations

from django import forms

from youhu.directory.models import Unit

from .models import ProblemKind, Stage


class FilterForm(forms.Form):
    leader = forms.TypedChoiceField(label="挂点领导", required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label="牵头/配合单位", required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部"), *Stage.choices])
    light = forms.ChoiceField(label="灯色", required=False,
                              choices=[("", "全部"), ("red", "红灯"), ("yellow", "黄灯"), ("green", "绿灯")])

    def __init__(self, *args, leaders=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "全部"), *((u.pk, str(u)) for u in leaders)]
        self.fields["unit"].choices = [("", "全部"), *((u.pk, u.name) for u in units)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class CompleteForm(forms.Form):
    actual_end = forms.DateField(label="实际完成日期", widget=forms.DateInput(attrs={"type": "date"}))
    evidence = MultipleFileField(label="佐证材料", required=False, help_text="批复文件、现场照片或验收记录")


class ReportForm(forms.Form):
    month = forms.DateField(label="填报月份", input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}))
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    investment_completed = forms.DecimalField(label="本年累计完成投资（万元）", min_value=0, max_digits=14,
                                              decimal_places=2)
    photos = MultipleFileField(label="现场照片", required=False)


class ProblemForm(forms.Form):
    kind = forms.ChoiceField(label="问题类型", choices=ProblemKind.choices)
    unit = forms.ModelChoiceField(label="责任单位", empty_label="请选择责任单位", queryset=Unit.objects.filter(active=True).exclude(
        kind=Unit.Kind.CENTRE).exclude(kind=Unit.Kind.COMMUNITY_OFFICE).order_by("kind", "code"))
    title = forms.CharField(label="问题标题", max_length=150)
    content = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
