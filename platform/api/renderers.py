"""The browsable API (what a person sees opening an API URL in a browser)."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableApiRenderer(BrowsableAPIRenderer):
    """DRF's renderer asks every list view for its queryset to draw a filter form, even
    with no filter backends; our list views build their rows in selectors and have no
    ``queryset``, so the HTML page of a list was a 500 while JSON worked. No filter
    backends, no filter form."""

    def get_filter_form(self, data: Any, view: Any, request: Any) -> Any:
        if not getattr(view, "filter_backends", None):
            return None
        return super().get_filter_form(data, view, request)
