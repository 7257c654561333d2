"""C2PA provenance: every output is signed on the worker right after encoding (decision 0012).

Production keys are two PEM files named by the environment. Without them the embedded
default signs with a development chain it makes on first use in ``DATA_DIR/c2pa`` (or
``manage.py c2pa_dev_cert``); production mode (``VERNISSAGE_HTTPS=true``) never does that
by itself: jobs then fail at signing, naming the missing variables.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_str
from config.settings.base import DATA_DIR
from config.settings.security import SITE_HTTPS

# Off only where outputs may leave unsigned (never for published work).
C2PA_SIGNING = env_bool("VERNISSAGE_C2PA_SIGNING", True)
# The signer's certificate chain (signer first, then intermediates; PEM) and its ES256 key.
C2PA_CERT_CHAIN = env_str("VERNISSAGE_C2PA_CERT_CHAIN", "")
C2PA_PRIVATE_KEY = env_str("VERNISSAGE_C2PA_PRIVATE_KEY", "")
if bool(C2PA_CERT_CHAIN) != bool(C2PA_PRIVATE_KEY):
    raise ImproperlyConfigured(
        "Set both VERNISSAGE_C2PA_CERT_CHAIN and VERNISSAGE_C2PA_PRIVATE_KEY, or neither."
    )
# Root certificates (PEM) a signed output is checked against after signing; optional.
C2PA_TRUST_ANCHORS = env_str("VERNISSAGE_C2PA_TRUST_ANCHORS", "")
# Where the development chain lives, and whether signing may fall back to it.
C2PA_DEV_DIR = Path(env_str("VERNISSAGE_C2PA_DEV_DIR", str(DATA_DIR / "c2pa")))
C2PA_ALLOW_DEV_CERT = env_bool("VERNISSAGE_C2PA_ALLOW_DEV_CERT", not SITE_HTTPS)
