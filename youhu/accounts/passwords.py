"""Password rules (settings.AUTH_PASSWORD_VALIDATORS): Django's, with one message mended."""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength


class MinimumLengthValidator(DjangoMinimumLength):
    """Django 5.2 changed this message's text, and its Chinese catalogue still has the old one: the refusal
    came out in English only."""

    def get_error_message(self) -> str:
        return (f"密码太短，至少需要 {self.min_length} 个字符。"
                f"(This password is too short: at least {self.min_length} characters.)")
