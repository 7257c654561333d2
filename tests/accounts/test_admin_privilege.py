"""Least privilege in the admin, and second-factor secrets encrypted at rest."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from accounts.models import User
from accounts.roles import Role
from accounts.secret_box import PREFIX, secret_decrypt
from tests.conftest import totp_secret
from tests.faults.conftest import protection_params

pytestmark = pytest.mark.django_db


def change_form_post(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": user.email,
        "full_name": user.full_name,
        "cohort": user.cohort_id or "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


@pytest.fixture
def least_privilege(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "off":  # the defect: Django's UserAdmin as it comes
        from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

        from accounts.admin import UserAdmin

        for name in ("get_fieldsets", "get_readonly_fields", "user_change_password"):
            monkeypatch.setattr(UserAdmin, name, getattr(DjangoUserAdmin, name))
    return str(request.param)


@pytest.fixture
def encryption(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "off":  # allauth's default: secrets stored as they are
        monkeypatch.setattr("accounts.mfa_adapter.MfaAdapter.encrypt", lambda self, text: text)
    return str(request.param)


@pytest.mark.parametrize(
    "least_privilege",
    protection_params(reason="a program admin makes someone superuser"),
    indirect=True,
)
def test_a_program_admin_cannot_make_anyone_superuser_or_staff(
    client, program_admin, artist, least_privilege
):
    client.force_login(program_admin)
    url = f"/admin/accounts/user/{artist.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    answer = client.post(
        url,
        change_form_post(
            artist, full_name="Ada L.", is_superuser="on", is_staff="on", is_active="on"
        ),
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    artist.refresh_from_db()
    assert artist.full_name == "Ada L."  # what they may change, they can
    assert not artist.is_superuser and not artist.is_staff


def test_a_program_admin_cannot_set_passwords_or_add_people(client, program_admin, artist):
    client.force_login(program_admin)
    assert client.get(f"/admin/accounts/user/{artist.pk}/password/").status_code == 403
    assert (
        "password/" not in client.get(f"/admin/accounts/user/{artist.pk}/change/").content.decode()
    )
    assert client.get("/admin/accounts/user/add/").status_code == 403


def test_a_superuser_can(client, admin_user, artist):
    client.force_login(admin_user)
    assert client.get(f"/admin/accounts/user/{artist.pk}/password/").status_code == 200
    page = client.get(f"/admin/accounts/user/{artist.pk}/change/").content.decode()
    assert 'name="is_superuser"' in page


def test_reviewers_cannot_list_people(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/accounts/user/").status_code == 403
    assert not reviewer.has_perm("accounts.view_user")
    assert Role.REVIEWER  # the role exists; it just doesn't list people


def test_nobody_sees_a_second_factor_secret_in_the_admin(client, admin_user, reviewer):
    secret = totp_secret(reviewer)
    client.force_login(admin_user)
    totp = Authenticator.objects.get(user=reviewer, type="totp")
    codes = Authenticator.objects.get(user=reviewer, type="recovery_codes")
    for authenticator in (totp, codes):
        page = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
        assert page.status_code == 200
        body = page.content.decode()
        assert secret not in body and PREFIX not in body and "seed" not in body
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403


@pytest.mark.parametrize(
    "encryption", protection_params(reason="secrets stored in clear"), indirect=True
)
def test_secrets_are_encrypted_at_rest(encryption, django_user_model):
    from tests.conftest import give_totp

    reviewer = django_user_model.objects.create_user(email="new-staff@example.com")
    give_totp(reviewer)
    stored = Authenticator.objects.get(user=reviewer, type="totp").data["secret"]
    seed = Authenticator.objects.get(user=reviewer, type="recovery_codes").data["seed"]
    assert stored.startswith(PREFIX) and seed.startswith(PREFIX)
    assert secret_decrypt(stored) not in stored


def test_rotation_reencrypts_under_the_new_key(reviewer, settings):
    secret = totp_secret(reviewer)
    old = Authenticator.objects.get(user=reviewer, type="totp").data["secret"]
    settings.MFA_ENCRYPTION_KEYS = ["n" * 40, *settings.MFA_ENCRYPTION_KEYS]
    call_command("mfa_reencrypt")
    new = Authenticator.objects.get(user=reviewer, type="totp").data["secret"]
    assert new != old
    settings.MFA_ENCRYPTION_KEYS = ["n" * 40]  # the old key dropped
    assert totp_secret(reviewer) == secret


def test_plaintext_secrets_from_before_are_encrypted_by_migrate(reviewer):
    from accounts.secret_box import authenticator_secrets_encrypt

    totp = Authenticator.objects.get(user=reviewer, type="totp")
    plain = secret_decrypt(totp.data["secret"])
    Authenticator.objects.filter(pk=totp.pk).update(data={**totp.data, "secret": plain})
    assert authenticator_secrets_encrypt() == 1
    assert Authenticator.objects.get(pk=totp.pk).data["secret"].startswith(PREFIX)
    assert totp_secret(reviewer) == plain
