from django import forms


class AcceptAgreementForm(forms.Form):
    full_name = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirm = forms.BooleanField(
        label="I have read this agreement and accept it.",
        error_messages={"required": "Tick the box to confirm that you accept the agreement."},
    )
    # The digest of the text shown, so a version published mid-read isn't signed blind.
    text_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
