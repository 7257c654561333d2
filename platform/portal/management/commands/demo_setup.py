"""Create (or refresh) a small demo program for the embedded default."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create, user_set_role
from agreements.models import AgreementVersion
from agreements.services import (
    agreement_translation_save,
    agreement_version_create,
    agreement_version_publish,
)
from cohorts.models import Cohort
from cohorts.services import cohort_create, cohort_set_allowed_modes
from invitations.models import Invitation, InvitationStatus
from invitations.services import invitation_create, invitation_revoke
from jobs.models import GenerationMode
from jobs.services import default_model_for

ADMIN_EMAIL = "admin@vernissage.test"
REVIEWER_EMAIL = "reviewer@vernissage.test"
ARTIST_EMAIL = "artist@vernissage.test"
COHORT_NAME = "Wave 1"
NDA_TITLE = "Vernissage preview agreement, version 1"
NDA_BODY = """\
## 1. What is confidential

The model, its outputs that have not been published through Vernissage, and anything
you learn about the model's behaviour are confidential until the studio publishes them.

## 2. What you may share

Only outputs that a reviewer approved **and** that you published through Vernissage.

## 3. Your work

You keep credit for your prompts and your published work. Every review decision on your
work comes with a reason, and you may appeal a rejection once.

## 4. Ending

Either side may end your participation at any time; sections 1 and 2 survive.
"""
# For reading only: the English text above is the one artists sign (decision 0025).
NDA_TRANSLATIONS = {
    "fr": (
        "Accord de préversion Vernissage, version 1",
        """\
## 1. Ce qui est confidentiel

Le modèle, ses résultats qui n'ont pas été publiés via Vernissage, et tout ce que vous
apprenez sur le comportement du modèle sont confidentiels jusqu'à ce que le studio les publie.

## 2. Ce que vous pouvez partager

Uniquement les résultats qu'un modérateur a approuvés **et** que vous avez publiés via
Vernissage.

## 3. Votre travail

Vous restez crédité de vos prompts et de vos œuvres publiées. Chaque décision de modération
concernant votre travail est motivée, et vous pouvez faire appel d'un refus une fois.

## 4. Fin

Chaque partie peut mettre fin à votre participation à tout moment ; les sections 1 et 2
restent en vigueur.
""",
    ),
    "id": (
        "Perjanjian pratinjau Vernissage, versi 1",
        """\
## 1. Apa yang bersifat rahasia

Model, hasil-hasilnya yang belum dipublikasikan melalui Vernissage, dan apa pun yang Anda
ketahui tentang perilaku model bersifat rahasia sampai studio mempublikasikannya.

## 2. Apa yang boleh Anda bagikan

Hanya hasil yang telah disetujui peninjau **dan** telah Anda publikasikan melalui Vernissage.

## 3. Karya Anda

Anda tetap mendapat kredit atas prompt dan karya Anda yang dipublikasikan. Setiap keputusan
peninjauan atas karya Anda disertai alasan, dan Anda dapat mengajukan banding atas penolakan
satu kali.

## 4. Pengakhiran

Masing-masing pihak dapat mengakhiri partisipasi Anda kapan saja; bagian 1 dan 2 tetap
berlaku.
""",
    ),
}


class Command(BaseCommand):
    help = (
        "Set up a demo program: a program admin, a reviewer, a cohort, a published NDA and "
        "one pending artist invitation. Safe to run again: passwords and the invitation "
        "link are renewed each time and printed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            admin_password = self._staff(ADMIN_EMAIL, "Ada Admin", Role.PROGRAM_ADMIN)
            reviewer_password = self._staff(REVIEWER_EMAIL, "Rey Reviewer", Role.REVIEWER)
            admin = User.objects.get(email=ADMIN_EMAIL)
            if not admin.is_superuser:
                admin.is_superuser = True
                admin.save(update_fields=["is_superuser"])
            cohort = Cohort.objects.filter(name=COHORT_NAME).first() or cohort_create(
                actor=admin, name=COHORT_NAME, capacity=300, daily_generation_quota=20
            )
            # Every mode an offered model can make (make demo offers tiny-wan-i2v and
            # tiny-wan-flf2v: VERNISSAGE_MODELS in the Makefile): image to video, extend
            # and storyboards need a model that takes a start image.
            modes = list(cohort.allowed_modes)
            for mode in GenerationMode.values:
                if mode not in modes and default_model_for(mode) is not None:
                    modes.append(mode)
            cohort_set_allowed_modes(actor=admin, cohort=cohort, modes=modes)
            if not AgreementVersion.objects.filter(published_at__isnull=False).exists():
                draft = agreement_version_create(
                    actor=admin, title=NDA_TITLE, body=NDA_BODY, effective_at=timezone.now()
                )
                agreement_version_publish(actor=admin, version=draft)
                for language, (title, body) in NDA_TRANSLATIONS.items():
                    agreement_translation_save(
                        actor=admin, version=draft, language=language, title=title, body=body
                    )
            for old in Invitation.objects.filter(
                email=ARTIST_EMAIL, status=InvitationStatus.PENDING
            ):
                invitation_revoke(actor=admin, invitation=old)
            link = None
            if not User.objects.filter(email=ARTIST_EMAIL).exists():
                link = invitation_create(
                    inviter=admin, email=ARTIST_EMAIL, cohort=cohort, send_email=False
                ).link

        out = self.stdout
        out.write(self.style.SUCCESS("Demo program ready."))
        out.write(f"  Program admin  {ADMIN_EMAIL}  password: {admin_password}")
        out.write(f"  Reviewer       {REVIEWER_EMAIL}  password: {reviewer_password}")
        out.write(
            f"  Cohort         {cohort.name} ({cohort.capacity} seats; modes: "
            f"{', '.join(cohort.allowed_modes)})"
        )
        if link:
            out.write(f"  Invitation for {ARTIST_EMAIL}: {link}")
        else:
            out.write(f"  {ARTIST_EMAIL} has already signed up; sign in as them.")

    def _staff(self, email: str, name: str, role: Role) -> str:
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(email=email, password=password, role=role, full_name=name)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
            user_set_role(user=user, role=role)
        self._verify_email(user)
        return password

    @staticmethod
    def _verify_email(user: User) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
