"""Forms of the staff pages of their own: the ticket list's filters (the action forms are the workflow room's)."""

from __future__ import annotations

from django import forms

from youhu import clock
from youhu.directory.models import Area
from youhu.tickets.models import Channel, Status
from youhu.workflow.forms import FastSelect, category_choices, unit_choices


class TicketFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "标题或编号"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Status.choices])
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部"), *Channel.choices])
    unit = forms.TypedChoiceField(widget=FastSelect, label="主办单位", required=False, coerce=int, empty_value=None)
    street = forms.TypedChoiceField(widget=FastSelect, label="街道", required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(widget=FastSelect, label="分类", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label="登记日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              validators=[clock.validate_in_span])
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              validators=[clock.validate_in_span])
    queue = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, district_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A district's staff filter by their district's units and streets only (docs/levels.md).
        self.fields["unit"].choices = [("", "全部"), *(unit_choices(district_id) if district_id else unit_choices())]
        streets = Area.objects.filter(kind=Area.Kind.STREET).order_by("code")
        if district_id:
            streets = streets.filter(district_id=district_id)
        streets = streets.values_list("pk", "name")
        self.fields["street"].choices = [("", "全部"), *streets]
        self.fields["category"].choices = [("", "全部"), *category_choices()]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data
