"""Public credits are unique among artists (compared in a normalised form) and a program
admin may refuse one. Existing credits get their key; where two already look alike, the
older account keeps it and the newer one is told to choose another."""

from __future__ import annotations

import hashlib
import unicodedata

from django.db import migrations, models
from django.utils import timezone

# A frozen copy of accounts.models.public_credit_key as of this migration.
_LOOKALIKES = str.maketrans(
    "авекмнорстухіјѕԁһԛԝαβεζηικμνορτυχϲϳ", "abekmhopctyxijsdhqwabezhikmnoptyxcj"
)


def _key(credit: str) -> str:
    text = unicodedata.normalize("NFKC", credit)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_LOOKALIKES)
    text = " ".join(text.split())
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def fill_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    for user in User.objects.exclude(public_credit="").order_by("date_joined", "pk"):
        key = _key(user.public_credit)
        if key and key not in taken:
            taken.add(key)
            User.objects.filter(pk=user.pk).update(public_credit_key=key)
        else:
            User.objects.filter(pk=user.pk).update(
                public_credit="",
                public_credit_key="",
                public_credit_refused_at=timezone.now(),
                public_credit_refusal=(
                    f"“{user.public_credit}” is already another artist's credit, or looks "
                    "like it: choose another."
                )[:500],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_token_scopes"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="public_credit_key",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="user",
            name="public_credit_refusal",
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.AddField(
            model_name="user",
            name="public_credit_refused_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("public_credit_key", ""), _negated=True),
                fields=("public_credit_key",),
                name="user_public_credit_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("public_credit", ""), ("public_credit_key", ""))
                | models.Q(
                    models.Q(("public_credit", ""), _negated=True),
                    models.Q(("public_credit_key", ""), _negated=True),
                ),
                name="user_public_credit_has_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("public_credit_refusal", ""), ("public_credit_refused_at__isnull", True)
                )
                | models.Q(
                    ("public_credit_refused_at__isnull", False),
                    models.Q(("public_credit_refusal", ""), _negated=True),
                ),
                name="user_public_credit_refusal_has_reason",
            ),
        ),
    ]
