"""The trace page: a program admin uploads a suspect video and learns whose it is."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.http import signed_in_user
from tracing.forms import TraceForm
from tracing.services import TRACE_PERMISSION, NotAVideo, TraceResult, trace_video
from web.refusals import refusal_to_form


@permission_required(TRACE_PERMISSION, raise_exception=True)
def trace(request: HttpRequest) -> HttpResponse:
    result: TraceResult | None = None
    form = TraceForm()
    if request.method == "POST":
        form = TraceForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["video"]
            with tempfile.TemporaryDirectory(prefix="trace-") as folder:
                path = Path(folder) / "suspect"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    result = trace_video(
                        path=path, actor=signed_in_user(request), name=upload.name or ""
                    )
                except NotAVideo as error:
                    refusal_to_form(form, error, field="video")
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "result": result,
        "max_mb": settings.WATERMARK_TRACE_MAX_UPLOAD_MB,
    }
    return render(request, "tracing/trace.html", context, status=status)
