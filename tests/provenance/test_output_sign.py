"""output_sign: which key it uses, what goes in the manifest, and when it refuses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import user_set_public_credit
from generation.provenance import DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA, read_manifest
from jobs.models import Job, JobStatus, Output
from jobs.worker import _encode_and_store
from provenance.dev_certs import DevChain
from provenance.services import SigningNotConfigured, output_manifest, output_sign

ROOT = Path(__file__).resolve().parents[2]


def running_job(artist: User, model: str = "tiny-wan") -> Job:
    assert artist.cohort is not None
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a lighthouse in fog, secret prompt",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=1, model=model,
        num_frames=9, width=80, height=48, fps=8, steps=4, guidance=5.0,
        status=JobStatus.RUNNING, attempt=1, started_at=timezone.now(),
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip


@pytest.fixture
def dev_dir(settings, tmp_path) -> Path:
    """A development chain folder of this test's own, not yet made."""
    settings.C2PA_DEV_DIR = tmp_path / "c2pa"
    settings.C2PA_CERT_CHAIN = settings.C2PA_PRIVATE_KEY = settings.C2PA_TRUST_ANCHORS = ""
    settings.C2PA_ALLOW_DEV_CERT = True
    settings.C2PA_SIGNING = True
    return settings.C2PA_DEV_DIR


def test_first_use_makes_the_dev_chain_and_signs_in_place(artist, dev_dir, tiny_mp4, caplog):
    assert not dev_dir.exists()
    assert output_sign(job=running_job(artist), path=tiny_mp4) is True
    assert {p.name for p in dev_dir.iterdir()} >= {"chain.pem", "signer.key", "root.pem"}
    assert "DEVELOPMENT certificate" in caplog.text
    report = read_manifest(tiny_mp4, trust_anchors_pem=(dev_dir / "root.pem").read_bytes())
    assert report.is_trusted, report.failures
    # No temporary files left beside the video.
    assert sorted(p.name for p in tiny_mp4.parent.iterdir()) == ["c2pa", tiny_mp4.name]


def test_manifest_names_model_and_platform_and_nothing_about_the_artist(artist, dev_dir, tiny_mp4):
    job = running_job(artist)
    output_sign(job=job, path=tiny_mp4)
    report = read_manifest(tiny_mp4)
    assert report.is_valid, report.failures
    [created] = report.assertion("c2pa.actions")["actions"]  # type: ignore[index]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA
    assert created["softwareAgent"]["name"] == "tiny-wan"
    # The tiny model's source is a local folder: never published.
    assert "parameters" not in created
    assert report.manifest["claim_generator_info"][0]["name"] == "Vernissage"  # type: ignore[index]
    assert report.assertion("stds.schema-org.CreativeWork") is None
    text = json.dumps(report.store)
    for private in (artist.email, "alice", "Alice", "secret prompt", str(job.cohort)):
        assert private not in text
    assert f'"{artist.pk}"' not in text and f"job-{job.pk}" not in text


def test_the_artists_chosen_credit_is_the_only_personal_data(artist, dev_dir, tiny_mp4):
    user_set_public_credit(user=artist, credit="Alice of the Harbour")
    output_sign(job=running_job(artist), path=tiny_mp4)
    report = read_manifest(tiny_mp4)
    work = report.assertion("stds.schema-org.CreativeWork")
    assert work == {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "author": [{"@type": "Person", "name": "Alice of the Harbour"}],
    }
    assert artist.email not in json.dumps(report.store)


def test_a_hub_model_names_its_repository(artist, settings):
    settings.GENERATION_MODELS = {
        **settings.GENERATION_MODELS,
        "wan2.1-t2v-1.3b": {"source": "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"},
        "local-wan": {"source": "/models/wan2.1-1.3b"},
    }
    [action] = output_manifest(job=running_job(artist, model="wan2.1-t2v-1.3b"))["assertions"][0][
        "data"
    ]["actions"]
    assert action["parameters"]["model_source"] == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
    [action] = output_manifest(job=running_job(artist, model="local-wan"))["assertions"][0]["data"][
        "actions"
    ]
    assert "parameters" not in action


def test_configured_keys_are_used_and_no_dev_chain_is_made(
    artist, dev_dir, tiny_mp4, dev_chain: DevChain, settings
):
    settings.C2PA_CERT_CHAIN = str(dev_chain.cert_chain)
    settings.C2PA_PRIVATE_KEY = str(dev_chain.private_key)
    settings.C2PA_TRUST_ANCHORS = str(dev_chain.root)
    output_sign(job=running_job(artist), path=tiny_mp4)
    assert not dev_dir.exists()
    assert read_manifest(tiny_mp4, trust_anchors_pem=dev_chain.root.read_bytes()).is_trusted


def test_production_mode_never_falls_back_to_a_dev_chain(artist, dev_dir, tiny_mp4, settings):
    settings.C2PA_ALLOW_DEV_CERT = False
    before = tiny_mp4.read_bytes()
    with pytest.raises(SigningNotConfigured, match="VERNISSAGE_C2PA_CERT_CHAIN"):
        output_sign(job=running_job(artist), path=tiny_mp4)
    assert not dev_dir.exists() and tiny_mp4.read_bytes() == before


def test_unreadable_key_files_are_named(artist, dev_dir, tiny_mp4, settings, tmp_path):
    settings.C2PA_CERT_CHAIN = str(tmp_path / "missing-chain.pem")
    settings.C2PA_PRIVATE_KEY = str(tmp_path / "missing.key")
    with pytest.raises(SigningNotConfigured, match=r"missing-chain\.pem"):
        output_sign(job=running_job(artist), path=tiny_mp4)


def test_signing_switched_off_leaves_the_file_alone(artist, dev_dir, tiny_mp4, settings):
    settings.C2PA_SIGNING = False
    before = tiny_mp4.read_bytes()
    assert output_sign(job=running_job(artist), path=tiny_mp4) is False
    assert tiny_mp4.read_bytes() == before and not dev_dir.exists()


def test_a_signing_failure_stores_nothing(artist, dev_dir, settings, tmp_path):
    # The worker's encode-and-store step: signing raises, so no file and no output row
    # (the worker's retry/fail logic takes it from there).
    settings.C2PA_CERT_CHAIN = str(tmp_path / "gone.pem")
    settings.C2PA_PRIVATE_KEY = str(tmp_path / "gone.key")
    job = running_job(artist)
    frames = np.zeros((9, 48, 80, 3), dtype=np.uint8)
    with pytest.raises(SigningNotConfigured):
        _encode_and_store(job, frames)
    assert not Output.objects.filter(job=job).exists()
    assert list((settings.MEDIA_ROOT / "private").rglob(f"job-{job.pk}-*")) == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_encode_and_store_keeps_the_hash_of_the_signed_file(artist, dev_dir, tmp_path):
    import hashlib

    job = running_job(artist)
    frames = np.tile(np.linspace(0, 255, 80, dtype=np.uint8)[None, None, :, None], (9, 48, 1, 3))
    output = _encode_and_store(job, frames)
    with output.video.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == output.sha256 and len(data) == output.size_bytes
    path = tmp_path / "stored.mp4"  # read through the storage API: it may be a bucket
    path.write_bytes(data)
    report = read_manifest(path, trust_anchors_pem=(dev_dir / "root.pem").read_bytes())
    assert report.is_trusted, report.failures


# The command


def test_dev_cert_command_writes_a_chain_and_keeps_it(tmp_path, capsys):
    out = tmp_path / "chain"
    call_command("c2pa_dev_cert", "--out", str(out))
    assert "Wrote development C2PA chain" in capsys.readouterr().out
    assert (out / "signer.key").stat().st_mode & 0o777 == 0o600
    first = (out / "chain.pem").read_bytes()
    call_command("c2pa_dev_cert", "--out", str(out))
    assert "Kept the existing" in capsys.readouterr().out
    assert (out / "chain.pem").read_bytes() == first
    call_command("c2pa_dev_cert", "--out", str(out), "--force")
    assert (out / "chain.pem").read_bytes() != first
    assert DevChain(out).is_complete()


def test_dev_cert_command_defaults_to_the_setting_and_leaves_other_files(settings, tmp_path):
    settings.C2PA_DEV_DIR = tmp_path / "data" / "c2pa"
    settings.C2PA_DEV_DIR.mkdir(parents=True)
    (settings.C2PA_DEV_DIR / "notes.txt").write_text("mine")
    call_command("c2pa_dev_cert", "--force")
    assert DevChain(settings.C2PA_DEV_DIR).is_complete()
    assert (settings.C2PA_DEV_DIR / "notes.txt").read_text() == "mine"


def test_dev_cert_command_refuses_a_silly_lifetime(tmp_path):
    with pytest.raises(CommandError, match="--days"):
        call_command("c2pa_dev_cert", "--out", str(tmp_path), "--days", "0")


def test_an_expired_dev_chain_is_replaced(tmp_path):
    from provenance.dev_certs import dev_chain_write

    chain, _ = dev_chain_write(folder=tmp_path / "c", days=1)
    old = chain.cert_chain.read_bytes()
    # Make the stored signer look expired by swapping in one that is.
    expired = _expired_signer()
    chain.cert_chain.write_bytes(expired)
    _, created = dev_chain_write(folder=chain.folder)
    assert created and chain.cert_chain.read_bytes() not in (old, expired)


def _expired_signer() -> bytes:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=10))
        .not_valid_after(now - timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


# Settings


def _settings_in_subprocess(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VERNISSAGE_C2PA")}
    environ.update(VERNISSAGE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    environ.update(env)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.C2PA_SIGNING, s.C2PA_ALLOW_DEV_CERT, str(s.C2PA_DEV_DIR)]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )


def test_settings_default_to_signing_with_a_dev_chain_in_the_data_dir(tmp_path):
    result = _settings_in_subprocess(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, str(tmp_path / "c2pa")]


def test_production_mode_disallows_the_dev_chain_by_default(tmp_path):
    result = _settings_in_subprocess(tmp_path, VERNISSAGE_HTTPS="true")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[1] is False


def test_a_key_without_its_chain_stops_start_up(tmp_path):
    result = _settings_in_subprocess(tmp_path, VERNISSAGE_C2PA_PRIVATE_KEY="/keys/signer.key")
    assert result.returncode != 0
    assert "Set both VERNISSAGE_C2PA_CERT_CHAIN and VERNISSAGE_C2PA_PRIVATE_KEY" in result.stderr


def test_dev_chain_folder_is_ignored_by_git():
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    result = subprocess.run(
        ["git", "check-ignore", "-q", "var/c2pa/signer.key"], cwd=ROOT, check=False
    )
    assert result.returncode == 0
