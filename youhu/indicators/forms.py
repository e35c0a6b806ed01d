"""The units' form: one number field per unit-reported indicator, blank meaning "not yet"."""

from __future__ import annotations

from django import forms

from .models import Indicator


def figures_form(indicators: list[Indicator], data=None, initial: dict | None = None) -> forms.Form:
    """Text inputs (not number inputs): a wrong entry must come back to the service and be named."""
    form = forms.Form(data=data, initial=initial)
    for i in indicators:
        form.fields[i.code] = forms.CharField(label=f"{i.name}（{i.unit_of_measure}）", required=False,
                                              widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    return form
