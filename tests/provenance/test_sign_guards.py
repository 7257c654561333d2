"""Guards in ``provenance.services`` that no other test defended (docs/mutation.md). Each
test names its guard; taking the guard away (tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from generation.provenance import ProvenanceError
from jobs.models import Job, JobStatus
from provenance.dev_certs import DevChain, dev_chain_write
from provenance.services import output_sign

pytestmark = pytest.mark.django_db


def test_a_signature_that_does_not_validate_is_refused_and_the_file_kept(
    artist, tiny_mp4: Path, dev_chain: DevChain, settings, tmp_path
):
    """The guard: ``output_sign``'s ``not report.is_valid or report.failures``, checked
    on the signed file read back. Signed with one chain but checked against another
    chain's root (a misconfigured trust anchor): the signature is not trusted, signing
    fails (ProvenanceError), and the file at ``path`` is the unsigned one, untouched."""
    other, _ = dev_chain_write(folder=tmp_path / "other-c2pa")
    settings.C2PA_SIGNING = True
    settings.C2PA_CERT_CHAIN = str(dev_chain.cert_chain)
    settings.C2PA_PRIVATE_KEY = str(dev_chain.private_key)
    settings.C2PA_TRUST_ANCHORS = str(other.root)
    before = tiny_mp4.read_bytes()
    assert artist.cohort is not None
    job = Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a lighthouse in fog", duration_seconds=2,
        resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan", num_frames=9,
        width=80, height=48, fps=8, steps=4, guidance=5.0, status=JobStatus.RUNNING, attempt=1,
        started_at=timezone.now(), lease_expires_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip

    with pytest.raises(ProvenanceError, match="does not validate"):
        output_sign(job=job, path=tiny_mp4)

    assert tiny_mp4.read_bytes() == before
    assert [p.name for p in tiny_mp4.parent.iterdir() if p.name.startswith(".signed-")] == []
