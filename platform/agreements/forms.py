from django import forms
from django.utils.translation import gettext_lazy


class AcceptAgreementForm(forms.Form):
    full_name = forms.CharField(
        label=gettext_lazy("Type your full name to sign"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have read this agreement and accept it."),
        error_messages={
            "required": gettext_lazy("Tick the box to confirm that you accept the agreement.")
        },
    )
    # The digest of the text shown, so a version published mid-read isn't signed blind.
    text_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
