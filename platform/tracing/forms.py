from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


class TraceForm(forms.Form):
    video = forms.FileField(
        label="Suspect video",
        help_text="Any format ffmpeg reads (MP4, WebM, MOV…), any size or length.",
    )

    def clean_video(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["video"]
        limit = settings.WATERMARK_TRACE_MAX_UPLOAD_MB
        if (upload.size or 0) > limit * 1024 * 1024:
            raise forms.ValidationError(f"That file is larger than {limit} MB.")
        if not upload.size:
            raise forms.ValidationError("That file is empty.")
        return upload
