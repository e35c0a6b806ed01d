from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class CodeForm(forms.Form):
    code = forms.CharField(label="动态验证码", max_length=12, help_text="身份验证器应用中显示的 6 位数字",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class LockedLoginForm(AuthenticationForm):
    """The login form as it comes back to a locked account or address: the message instead of a check."""

    def __init__(self, request, message: str, **kwargs):
        super().__init__(request, **kwargs)
        self.message = message

    def clean(self):
        raise ValidationError(self.message, code="locked")
