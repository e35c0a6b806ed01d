"""Forms of the company service pages. They check shapes; the services check the rules."""

from __future__ import annotations

from datetime import date

from django import forms

from youhu import clock
from youhu.directory.models import Role, User
from youhu.taxonomy.models import Category, Urgency

from .services import Issue


def enterprise_categories():
    return Category.objects.filter(is_enterprise=True, active=True, level__gte=2).order_by("path")


class CategoryChoice(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "请选择分类")  # not Django's bare "---------"
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return obj.name


def _date_input() -> forms.DateInput:
    # <input type="date"> needs ISO dates whatever the locale's display format.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IssueForm(forms.Form):
    title = forms.CharField(label="问题概述", max_length=200, required=False)
    content = forms.CharField(label="具体诉求", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=5000)
    category = CategoryChoice(label="诉求分类", queryset=Category.objects.none(), required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = enterprise_categories()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("title") or data.get("content"))

    def clean(self):
        data = super().clean()
        if not self.is_blank():
            for name, label in (("title", "问题概述"), ("content", "具体诉求"), ("category", "诉求分类")):
                if not data.get(name):
                    self.add_error(name, f"请填写{label}")
        return data

    def to_issue(self) -> Issue:
        d = self.cleaned_data
        return Issue(title=d["title"], content=d["content"], category=d["category"], urgency=d["urgency"])


MAX_ISSUES = 20
IssueFormSet = forms.formset_factory(IssueForm, extra=2, max_num=MAX_ISSUES)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=_date_input(), validators=[clock.validate_in_span])
    people_met = forms.CharField(label="接待人员", max_length=500, help_text="姓名及职务，如：王经理（行政总监）")
    topics = forms.CharField(label="走访内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    notes = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)
    plan = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlanForm(forms.Form):
    planned_on = forms.DateField(label="计划走访日期", widget=_date_input(), validators=[clock.validate_in_span])
    purpose = forms.CharField(label="走访目的", max_length=500, required=False)


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(label="首席服务官", queryset=User.objects.none(), empty_label="请选择首席服务官")
    reason = forms.CharField(label="调整原因", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(
            role_grants__role=Role.SERVICE_OFFICER, is_active=True).order_by("username")


class ImportForm(forms.Form):
    file = forms.FileField(label="企业名录文件", help_text="Excel (.xlsx) 或 CSV；表头见下方说明")


class PeriodForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=_date_input(), validators=[clock.validate_in_span])
    end = forms.DateField(label="结束日期", widget=_date_input(), validators=[clock.validate_in_span])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class PortalStartForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=30)
    phone = forms.CharField(label="登记的联系人手机号", max_length=32)


class PortalDemandForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=6, min_length=6)
    title = forms.CharField(label="诉求标题", max_length=200)
    content = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    category = CategoryChoice(label="诉求分类", queryset=Category.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = enterprise_categories()

    def to_issue(self) -> Issue:
        d = self.cleaned_data
        return Issue(title=d["title"], content=d["content"], category=d["category"])
