from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from generation.encoding import encode_mp4
from generation.provenance import SigningKey
from provenance.dev_certs import DevChain, dev_chain_write


@pytest.fixture(scope="session")
def dev_chain(tmp_path_factory: pytest.TempPathFactory) -> DevChain:
    chain, created = dev_chain_write(folder=tmp_path_factory.mktemp("c2pa"))
    assert created
    return chain


@pytest.fixture(scope="session")
def signing_key(dev_chain: DevChain) -> SigningKey:
    return SigningKey.from_files(cert_chain=dev_chain.cert_chain, private_key=dev_chain.private_key)


@pytest.fixture
def tiny_mp4(tmp_path: Path) -> Path:
    """Nine frames of a moving gradient, encoded the way the worker encodes."""
    ramp = np.linspace(0, 255, 80, dtype=np.uint8)
    frames = np.stack([np.tile(np.roll(ramp, 4 * i)[None, :, None], (48, 1, 3)) for i in range(9)])
    path = tmp_path / "video.mp4"
    encode_mp4(frames, fps=8, path=path)
    return path
