"""What the publishing buttons send; the services check it."""

from __future__ import annotations

from django import forms

from web.refusals import TypedTextField


class PublishForm(forms.Form):
    visibility = TypedTextField()


class ReasonForm(forms.Form):
    """A staff action that gives a reason: a takedown, lifting one."""

    reason = TypedTextField()
