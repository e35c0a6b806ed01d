"""The public portal (/portal/): residents submit an appeal, track it with its private code and review it.

No login. The tracking code proves the visitor is the appellant; once checked, the ticket number is kept in
the session so the detail and review pages need not carry the code in their URLs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from youhu.directory.models import Area
from youhu.taxonomy.models import AppealType
from youhu.tickets import services as tickets
from youhu.tickets.errors import TicketError
from youhu.tickets.models import Channel, Satisfaction, Status, Ticket, TicketEvent
from youhu.tickets.policy import ACTION_LABELS
from youhu.tickets.publishing import published_text

from .flows import submit_appeal

PHOTO_MAX_BYTES = 5 * 1024 * 1024
SESSION_TRACKED = "portal_tracked"
SESSION_CREATED = "portal_created"


def submit_rate(group, request) -> str:
    return getattr(settings, "YOUHU_PORTAL_SUBMIT_RATE", "20/h")


def track_rate(group, request) -> str:
    return getattr(settings, "YOUHU_PORTAL_TRACK_RATE", "30/h")


# ---------------------------------------------------------------- forms


class CommunitySelect(forms.Select):
    """Each community's option names its street (`data-street`), so the page can offer only the chosen street's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-street"] = instance.parent_id
        return option


class AppealForm(forms.Form):
    appeal_type = forms.ChoiceField(label="诉求类型", choices=AppealType.choices, initial=AppealType.COMPLAINT)
    title = forms.CharField(label="标题", max_length=tickets.TITLE_MAX)
    content = forms.CharField(label="诉求内容", max_length=tickets.CONTENT_MAX, widget=forms.Textarea(
        attrs={"rows": 6, "placeholder": "请写明时间、地点、事情经过和您的诉求"}))
    street = forms.ModelChoiceField(label="所在街道", queryset=Area.objects.filter(kind=Area.Kind.STREET),
                                    required=False, empty_label="（不清楚，填写地址即可）")
    community = forms.ModelChoiceField(label="所在社区", required=False, empty_label="（不清楚）",
                                       queryset=Area.objects.filter(kind=Area.Kind.COMMUNITY, parent__isnull=False),
                                       widget=CommunitySelect)
    address = forms.CharField(label="详细地址", max_length=255, required=False)
    # Filled by the map (portal/placepicker.js): nobody knows their coordinates.
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    photo = forms.ImageField(label="照片（可选，5MB 以内）", required=False)
    contact_name = forms.CharField(label="联系人", max_length=64, required=False)
    contact_phone = forms.RegexField(label="联系电话", regex=tickets.PHONE_RE, max_length=20,
                                     error_messages={"invalid": "联系电话格式不正确"})

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError("照片不能超过 5MB")
        return photo

    def clean(self):
        data = super().clean()
        community = data.get("community")
        if community is not None:
            if data.get("street") is None:
                data["street"] = community.parent
            elif community.parent_id != data["street"].pk:
                self.add_error("community", f"{community}不属于{data['street']}，请重新选择")
        if not data.get("street") and not (data.get("address") or "").strip():
            self.add_error("address", "请在地图上选择地点、选择街道或填写地址")
        # The coordinates come from the map, never typed: a half pair is the page's fault, shown beside the map.
        if "lat" not in self.errors and "lon" not in self.errors and (
                (data.get("lat") is None) != (data.get("lon") is None)):
            self.add_error("lat", "地图上选择的位置不完整，请重新点选")
        return data

    def appeal(self) -> tickets.NewAppeal:
        data = self.cleaned_data
        return tickets.NewAppeal(
            title=data["title"], content=data["content"], channel=Channel.WEB, appeal_type=data["appeal_type"],
            appellant_name=data["contact_name"], appellant_phone=data["contact_phone"],
            address=data["address"], street=data["street"], community=data["community"],
            lat=data["lat"], lon=data["lon"],
        )


class TrackForm(forms.Form):
    number = forms.RegexField(label="工单编号", regex=r"^\s*\d{8}-\d{6}\s*$", max_length=20,
                              error_messages={"invalid": "工单编号格式为 20260302-000001"})
    code = forms.CharField(label="查询码", max_length=16)


class ReviewForm(forms.Form):
    resolved = forms.TypedChoiceField(label="问题是否已解决", choices=[("yes", "已解决"), ("no", "未解决")],
                                      coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label="满意度", choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="评价（可选）", max_length=tickets.REASON_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


# ---------------------------------------------------------------- what the appellant may see


@dataclass
class PublicStep:
    label: str
    at: object
    detail: str


def _step(event: TicketEvent) -> PublicStep:
    detail = ""
    if event.action in ("dispatch", "district_dispatch", "to_district", "transfer") and event.payload.get("unit"):
        detail = f"承办单位：{event.payload['unit']}"
    elif event.to_status:
        detail = Status(event.to_status).label
    return PublicStep(ACTION_LABELS.get(event.action, event.action), event.at, detail)


def public_view(ticket: Ticket) -> dict:
    """Progress and reply as the appellant sees them: public events only, never notes or other people.

    A merged duplicate shows its own outcome (merged into which ticket, and that ticket's state and steps); the
    master's reply was written to another appellant, so it is shown only masked (tickets.publishing)."""
    master = ticket.duplicate_of
    shown = master or ticket
    steps = [_step(e) for e in ticket.events.filter(public=True)]
    if master is not None:
        steps += [_step(e) for e in master.events.filter(public=True).exclude(action="create")]
    reply_visible = bool(shown.reply_text) and not shown.reply_withheld
    reply = shown.reply_text if reply_visible else ""
    if master is not None and reply:
        reply = published_text(reply, master, ticket)
    return {
        "ticket": ticket,
        "master": master,
        "master_status_label": Status(master.status).label if master is not None else "",
        "status_label": "已合并办理" if master is not None else Status(ticket.status).label,
        "steps": steps,
        "reply": reply,
        "replied_at": shown.replied_at if reply_visible else None,
        "can_review": ticket.status == Status.REPLIED and not ticket.reply_withheld,
    }


def _tracked(request: HttpRequest, number: str) -> Ticket | None:
    if number not in request.session.get(SESSION_TRACKED, []):
        return None
    return Ticket.objects.select_related("duplicate_of").filter(number=number).first()


def _remember(request: HttpRequest, number: str) -> None:
    tracked = [n for n in request.session.get(SESSION_TRACKED, []) if n != number][-19:]
    request.session[SESSION_TRACKED] = [*tracked, number]


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["limited"] = True
    return render(request, template, context, status=429)


# ---------------------------------------------------------------- views


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def submit(request: HttpRequest) -> HttpResponse:
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and getattr(request, "limited", False):
        return _too_many(request, "portal/submit.html", {"form": form, **_map_settings()})
    if request.method == "POST" and form.is_valid():
        try:
            ticket = submit_appeal(form.appeal(), photo=form.cleaned_data.get("photo"))
        except TicketError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request.session[SESSION_CREATED] = {"number": ticket.number, "code": ticket.tracking_code}
            _remember(request, ticket.number)
            return redirect("portal:done")
    return render(request, "portal/submit.html", {"form": form, **_map_settings()},
                  status=400 if form.errors else 200)


def _map_settings() -> dict:
    """The deployment's tile server for the map (YOUHU_MAP_TILES); none: the street outlines alone."""
    return {"map_tiles": settings.YOUHU.get("MAP_TILES", ""),
            "map_tiles_attribution": settings.YOUHU.get("MAP_TILES_ATTRIBUTION", "")}


def done(request: HttpRequest) -> HttpResponse:
    created = request.session.pop(SESSION_CREATED, None)  # the code is shown once
    if created is None:
        return redirect("portal:track")
    return render(request, "portal/done.html", created)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=track_rate, method="POST", block=False)
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")[:32]})
    if request.method == "POST" and getattr(request, "limited", False):
        return _too_many(request, "portal/track.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip()
        code_hash = tickets.hash_tracking_code(form.cleaned_data["code"])
        if Ticket.objects.filter(number=number, tracking_code_hash=code_hash).exists():
            _remember(request, number)
            return redirect("portal:detail", number=number)
        form.add_error(None, "工单编号或查询码不正确")
    return render(request, "portal/track.html", {"form": form}, status=400 if form.errors else 200)


def detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _tracked(request, number)
    if ticket is None:
        return redirect("portal:track")
    return render(request, "portal/detail.html", {**public_view(ticket), "review_form": ReviewForm()})


@require_http_methods(["POST"])
def review(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _tracked(request, number)
    if ticket is None:
        return redirect("portal:track")
    form = ReviewForm(request.POST)
    view = public_view(ticket)
    if not view["can_review"]:
        form.add_error(None, "当前状态不能评价")
    elif form.is_valid():
        try:
            tickets.review(ticket, by=None, resolved=form.cleaned_data["resolved"],
                           satisfaction=form.cleaned_data["satisfaction"], comment=form.cleaned_data["comment"])
        except TicketError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(reverse("portal:detail", kwargs={"number": number}) + "?reviewed=1")
    return render(request, "portal/detail.html", {**view, "review_form": form}, status=400)
