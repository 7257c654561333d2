"""One way to show a refusal on a form (``web.http.error_text`` is the one way to make it
a line for a message).

A service is the one home of each rule: a page's form only reads what was sent, and what
the service refuses reaches the form through ``refusal_to_form``, each message on the
field it names. The fields here read text as it was typed and refuse nothing of their
own, not even Django's refusal of NUL, so the service's rule (``domain.text.clean_text``)
is the one that answers, on a page as in the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from domain.errors import DomainError


def refusal_to_form(
    form: forms.BaseForm, error: DomainError | ValidationError, *, field: str | None = None
) -> None:
    """Show a service's refusal on a bound, cleaned ``form``: each message of a
    ValidationError on the field it names, a DomainError on its own ``field``. A message
    that names no field of the form goes on ``field`` if given, else on the form itself."""

    def target(name: str | None) -> str | None:
        return name if name is not None and name in form.fields else field

    if isinstance(error, DomainError):
        form.add_error(target(error.field), error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(target(name), ValidationError(errors))
    else:
        form.add_error(target(None), error)


def errors_by_field(form: forms.BaseForm) -> dict[str, str]:
    """The form's errors for pages that show each field's error by name: each field's
    messages as one line, the form's own under ``"form"``."""
    return {
        "form" if name == NON_FIELD_ERRORS else name: " ".join(str(m) for m in messages)
        for name, messages in form.errors.items()
    }


def typed_values(form: forms.BaseForm) -> dict[str, Any]:
    """What was typed in each field (``""`` for nothing), to show it again: a refused
    form loses nothing."""
    values = {}
    for name in form.fields:
        value = form[name].value()
        values[name] = "" if value is None else value
    return values


class TypedTextField(forms.CharField):
    """Text as it was typed (``""`` when absent), refused by nothing here: the service
    checks it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class TypedTextListField(forms.Field):
    """Every value sent under the field's name (checkboxes, multiple selections), as
    typed, refused by nothing here: the service checks them."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, list | tuple):
            return [str(item) for item in value]
        return [str(value)]


class _MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class TypedUploadsField(forms.Field):
    """Every file sent under the field's name, unread: the service checks each one."""

    widget = _MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[Any]:
        if not value:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]
