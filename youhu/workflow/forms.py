"""The lifecycle actions' forms on the staff pages, and the selects they share with other pages.

Action forms only parse input (numbers, choices, units) into an `ActionInput`; the rules (a reason is
required, a day count is in range, ...) live in the tickets services, whose Chinese message is shown next
to the field it names. Field names therefore match the services' `TicketError.field` names, or are
mapped by `renamed`.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from youhu.directory.models import Unit
from youhu.dispatch.services import refused_units, returns_of
from youhu.taxonomy.models import Category
from youhu.tickets.models import Satisfaction

from .inputs import INPUT_FIELDS, ActionInput


def _text(label: str, *, rows: int = 3, required_hint: bool = True, help_text: str = "") -> forms.CharField:
    # required=False: the service checks presence and length and says what is missing.
    attrs = {"rows": rows}
    if required_hint:
        attrs["required"] = "required"
    return forms.CharField(label=label, required=False, strip=False, help_text=help_text,
                           widget=forms.Textarea(attrs=attrs))


_ANY_LEVEL = object()


def unit_choices(district_id: int | None | object = _ANY_LEVEL) -> list[tuple[str, list[tuple[int, str]]]]:
    """Units that may handle tickets, grouped by kind (职能部门, 街道办, ...); given a district id (None: the
    city's), only that level's units — the ones a ticket held there may be dispatched to."""
    groups: dict[str, list[tuple[int, str]]] = {label: [] for kind, label in Unit.Kind.choices
                                                 if kind != Unit.Kind.CENTRE}  # departments first
    labels = dict(Unit.Kind.choices)
    units = Unit.objects.filter(active=True).exclude(kind=Unit.Kind.CENTRE).order_by("code")
    if district_id is not _ANY_LEVEL:
        units = units.filter(district_id=district_id)
    for pk, name, kind in units.values_list("pk", "name", "kind"):
        groups.setdefault(labels.get(kind, kind), []).append((pk, name))
    return [(label, members) for label, members in groups.items() if members]


def category_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Active categories grouped by their first level, shown by path."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, path in Category.objects.filter(active=True).order_by("path").values_list("pk", "path"):
        top, _, rest = path.partition("/")
        groups.setdefault(top, []).append((pk, rest or f"{top}（一级分类）"))
    return list(groups.items())


class FastSelect(forms.Select):
    """A <select> rendered in Python: Django's per-option templates take ~80 ms for the 650 categories."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        body = [f'<select name="{escape(name)}"{flatatt(final)}>']
        for group, options in self.choices:
            if isinstance(options, list | tuple):
                body.append(f'<optgroup label="{escape(group)}">')
                body += [self._option(v, text, selected) for v, text in options]
                body.append("</optgroup>")
            else:
                body.append(self._option(group, options, selected))
        body.append("</select>")
        return mark_safe("".join(body))

    @staticmethod
    def _option(value, text, selected: set[str]) -> str:
        value = "" if value is None else str(value)
        mark = " selected" if value in selected else ""
        return f'<option value="{escape(value)}"{mark}>{escape(text)}</option>'  # both escaped


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False


class PkChoiceField(forms.TypedChoiceField):
    """A select of (pk, label) choices, possibly grouped, that cleans to the model instance."""

    widget = FastSelect

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def clean(self, value):
        pk = super().clean(value)
        return self.model.objects.filter(pk=pk).first() if pk is not None else None


def UnitField(**kwargs) -> PkChoiceField:  # noqa: N802 - reads like the field class it builds
    return PkChoiceField(Unit, **kwargs)


def CategoryField(**kwargs) -> PkChoiceField:  # noqa: N802
    return PkChoiceField(Category, **kwargs)


class ActionForm(forms.Form):
    """Every action form carries the ticket's version, so a stale page gets the conflict error."""

    # A page field whose input has another name: the page posts "message", the 督办 action reads "reason".
    renamed: ClassVar[dict[str, str]] = {}
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                                 error_messages={"required": "页面已过期，请刷新后重试",
                                                 "invalid": "页面已过期，请刷新后重试"})

    def __init__(self, *args, ticket=None, **kwargs):
        self.ticket = ticket
        super().__init__(*args, **kwargs)
        if ticket is not None and not self.is_bound:
            self.initial.setdefault("version", ticket.version)
        self.setup()

    def setup(self) -> None:
        """Fill choices that depend on the database or the ticket."""

    def action_input(self) -> ActionInput:
        """The cleaned data as the action's input (call after is_valid)."""
        data = {self.renamed.get(name, name): value for name, value in self.cleaned_data.items()}
        return ActionInput(**{name: value for name, value in data.items() if name in INPUT_FIELDS})

    def field_for(self, input_field: str | None) -> str | None:
        """The form field that shows an error the action raised about `input_field`, if the form has one."""
        shown = {action_name: name for name, action_name in self.renamed.items()}.get(input_field, input_field)
        return shown if shown in self.fields else None


class ReasonForm(ActionForm):
    reason = _text("理由")


class RegisterForm(ActionForm):
    category = CategoryField(label="诉求分类", required=False, help_text="可暂不选择，派单时再定")

    def setup(self) -> None:
        self.fields["category"].choices = [("", "（暂不选择）"), *category_choices()]
        if not self.is_bound and self.ticket is not None and self.ticket.category_id:
            self.initial["category"] = self.ticket.category_id


class AnswerDirectlyForm(ActionForm):
    renamed = {"reply": "text"}
    reply = _text("答复内容", rows=4)
    entry = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)  # a knowledge entry


class MergeForm(ActionForm):
    into = forms.CharField(label="主件工单编号", required=False, max_length=20,
                           widget=forms.TextInput(attrs={"required": "required", "placeholder": "例如 20260302-000001"}))
    reason = _text("说明", required_hint=False)


class DispatchForm(ActionForm):
    unit = UnitField(label="主办单位", required=False)
    co_units = forms.TypedMultipleChoiceField(label="协办单位", required=False, coerce=int, widget=FastSelectMultiple,
                                              help_text="可多选（按住 Ctrl 或 ⌘）")
    category = CategoryField(label="诉求分类", required=False)

    def setup(self) -> None:
        units = unit_choices(self.ticket.district_id) if self.ticket is not None else unit_choices()
        self.fields["unit"].choices = [("", "请选择"), *units]
        self.fields["unit"].widget.attrs["required"] = "required"
        self.fields["co_units"].choices = units
        self.fields["category"].choices = [("", "（沿用当前分类）"), *category_choices()]
        if not self.is_bound and self.ticket is not None and self.ticket.category_id:
            self.initial["category"] = self.ticket.category_id
            default = self.ticket.category.effective_unit()
            # A unit that returned the ticket has said it is not theirs: don't offer it again as the default.
            refused = refused_units(returns_of([self.ticket]).get(self.ticket.pk, []))
            if default is not None and default.district_id == self.ticket.district_id and default.pk not in refused:
                self.initial["unit"] = default.pk

    def clean_co_units(self) -> list[Unit]:
        ids = self.cleaned_data.get("co_units") or []
        return list(Unit.objects.filter(pk__in=ids))


class TransferForm(ActionForm):
    unit = UnitField(label="转派至", required=False)
    reason = _text("转派原因")

    def setup(self) -> None:
        units = unit_choices(self.ticket.district_id) if self.ticket is not None else unit_choices()
        self.fields["unit"].choices = [("", "请选择"), *units]
        self.fields["unit"].widget.attrs["required"] = "required"


class ToDistrictForm(ActionForm):
    """派至区: the district centres the city may send a ticket to."""

    unit = UnitField(label="派往", required=False)

    def setup(self) -> None:
        centres = (Unit.objects.filter(kind=Unit.Kind.CENTRE, active=True, district__isnull=False,
                                       district__active=True).select_related("district").order_by("district__code"))
        self.fields["unit"].choices = [("", "请选择区"), *((u.pk, f"{u.district.name}（{u.name}）") for u in centres)]
        self.fields["unit"].widget.attrs["required"] = "required"


class AcceptForm(ActionForm):
    pass


class HandleForm(ActionForm):
    note = _text("办理记录")


class CoPartForm(ActionForm):
    text = _text("协办意见", rows=4)


class RequestExtensionForm(ActionForm):
    working_days = forms.IntegerField(label="延期工作日", required=False,
                                      widget=forms.NumberInput(attrs={"min": 1, "max": 60, "required": "required"}),
                                      error_messages={"invalid": "请填写整数天数"})
    reason = _text("延期理由")


class DecideExtensionForm(ActionForm):
    decision = forms.ChoiceField(label="审批意见", choices=[("approve", "批准"), ("refuse", "驳回")],
                                 widget=forms.RadioSelect, initial="approve",
                                 error_messages={"required": "请选择批准或驳回", "invalid_choice": "请选择批准或驳回"})
    reason = _text("说明", required_hint=False, help_text="驳回时必须填写理由")
    renamed = {"decision": "approve"}

    def clean_decision(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class ReplyForm(ActionForm):
    text = _text("答复内容", rows=5)


class ReviewForm(ActionForm):
    resolved = forms.TypedChoiceField(label="问题是否解决", choices=[("yes", "已解决"), ("no", "未解决")],
                                      coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                      error_messages={"required": "请选择是否已解决"})
    satisfaction = forms.ChoiceField(label="满意度", choices=Satisfaction.choices, widget=forms.RadioSelect,
                                     error_messages={"required": "请选择满意度：满意、基本满意或不满意"})
    comment = _text("回访记录", required_hint=False)


class EscalationForm(ActionForm):
    renamed = {"message": "reason"}
    message = _text("督办内容")
