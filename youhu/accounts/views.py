"""Signing in with a second factor, enrolling one, the 账号安全 page, and the locked-out answer.

A correct password alone never signs in a user who has (or must have) a second factor: the session only
remembers, for a few minutes, whose password was right; the user is signed in once the code checks too.
"""

from __future__ import annotations

import time
from math import ceil

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from youhu.directory.models import User
from youhu.http import safe_next

from . import secondfactor
from .forms import CodeForm, LockedLoginForm

PENDING = "youhu_second_factor_pending"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        self.request.session.pop(PENDING, None)  # an earlier, unfinished login in this browser is over
        if not secondfactor.asks_for_code(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend,
                                         "next": self.get_success_url(), "at": time.time()}
        return redirect("accounts:verify" if secondfactor.confirmed_device(user) else "accounts:enrol")


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def _finish_login(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    pending = request.session.pop(PENDING)
    user.otp_device = device  # django-otp marks the session verified on user_logged_in
    auth.login(request, user, backend=pending["backend"])
    return redirect(safe_next(request, pending["next"], reverse(settings.LOGIN_REDIRECT_URL)))


def _start_again(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.error(request, "登录已超时，请重新输入用户名和密码。")
    return redirect("web:login")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: the code from the user's authenticator app."""
    user = _pending_user(request)
    device = secondfactor.confirmed_device(user) if user else None
    if device is None:
        return _start_again(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = secondfactor.refusal(device, form.cleaned_data["code"])
        if not refused:
            return _finish_login(request, user, device)
        form.add_error("code", refused)
    return render(request, "accounts/verify.html", {"form": form, "pending_user": user})


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: at the first login of a user who must have one, or from 账号安全."""
    user = request.user if request.user.is_authenticated else _pending_user(request)
    if user is None:
        return _start_again(request)
    signing_in = not request.user.is_authenticated
    if signing_in and secondfactor.confirmed_device(user):
        # A password alone must never add a device next to the one the user already has.
        return redirect("accounts:verify")
    device = secondfactor.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = secondfactor.confirm(device, form.cleaned_data["code"])
        if not refused:
            if signing_in:
                return _finish_login(request, user, device)
            otp_login(request, device)
            messages.success(request, "已启用动态验证码：今后登录时需输入身份验证器中的验证码。")
            return redirect("accounts:security")
        form.add_error("code", refused)
    return render(request, "accounts/enrol.html", {
        "form": form, "pending_user": user, "signing_in": signing_in, "required": secondfactor.required_for(user),
        "qr_svg": secondfactor.qr_svg(device), "secret": secondfactor.secret_text(device),
    })


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/security.html", {
        "device": secondfactor.confirmed_device(request.user), "required": secondfactor.required_for(request.user),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60, "form": CodeForm(),
    })


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off, with a current code; never for those who must keep it."""
    device = secondfactor.confirmed_device(request.user)
    form = CodeForm(request.POST)
    if secondfactor.required_for(request.user):
        messages.error(request, "您的角色必须使用动态验证码，不能关闭。")
    elif device is not None and form.is_valid() and not secondfactor.refusal(device, form.cleaned_data["code"]):
        TOTPDevice.objects.filter(user=request.user).delete()
        messages.success(request, "已关闭动态验证码。")
    else:
        messages.error(request, "验证码不正确，动态验证码仍然开启。")
    return redirect("accounts:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own, with the password rules of AUTH_PASSWORD_VALIDATORS."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site signs in through the staff login, so that its lockout and second factor apply there too."""
    query = request.GET.urlencode()
    return redirect(reverse("web:login") + (f"?{query}" if query else ""))


def lockout_message() -> str:
    minutes = ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return (f"登录失败次数过多，该账号或网络地址已被暂时锁定，请 {minutes} 分钟后再试；"
            f"如需立即解锁请联系系统管理员。(Too many failed logins: locked for {minutes} minutes.)")


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
               ) -> HttpResponse:
    """django-axes' answer to a locked account or address (AXES_LOCKOUT_CALLABLE): the login page, saying so."""
    form = LockedLoginForm(request, lockout_message(), data=request.POST or None)
    form.is_valid()
    return render(request, "web/login.html", {"form": form, "next": request.POST.get("next", "")},
                  status=settings.AXES_HTTP_RESPONSE_CODE)
