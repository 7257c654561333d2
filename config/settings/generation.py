"""Generation: models, the prompt policy, job leases and retries."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_json_records, env_list, env_str
from config.settings.base import DATA_DIR

# Models the platform offers. The tiny models are built locally (manage.py build_tiny_model);
# Wan 2.1 loads from a local folder or, with VERNISSAGE_WAN_LOCAL_ONLY=false, from the hub.
# "capabilities" (generation.registry.CAPABILITIES) says what a model can be asked to do:
# "text" (text to video, the default), "start_image", "start_end_image" (issue 17).
_TINY_STEPS = env_int("VERNISSAGE_TINY_MODEL_STEPS", 4, minimum=1, maximum=100)
# "batch": how many variations of one submission a worker renders in one pipeline call
# (decision 0034); the tiny models batch all four, Wan what the card's memory allows.
_TINY_BATCH = env_int("VERNISSAGE_TINY_MODEL_BATCH", 4, minimum=1, maximum=4)
GENERATION_MODELS: dict[str, dict[str, object]] = {
    "tiny-wan": {
        "source": env_str("VERNISSAGE_TINY_MODEL_PATH", str(DATA_DIR / "models" / "tiny-wan")),
        "profile": "tiny",
        "dtype": "float32",
        "device": "cpu",
        "steps": _TINY_STEPS,
        "guidance": 5.0,
        "capabilities": ["text"],
        "batch": _TINY_BATCH,
    },
    # The same tiny weights under a second name, so model routing can be exercised with two
    # models on one CPU machine (tests/scaleout: workers serving different models). Not
    # offered unless VERNISSAGE_MODELS names it.
    "tiny-wan-b": {
        "source": env_str("VERNISSAGE_TINY_MODEL_PATH", str(DATA_DIR / "models" / "tiny-wan")),
        "profile": "tiny",
        "dtype": "float32",
        "device": "cpu",
        "steps": _TINY_STEPS,
        "guidance": 5.0,
        "capabilities": ["text"],
    },
    # Image to video from a start image (Wan's I2V pipeline, tiny and random). Not offered
    # until the submit side takes images: add it to VERNISSAGE_MODELS to load it.
    "tiny-wan-i2v": {
        "source": env_str(
            "VERNISSAGE_TINY_I2V_MODEL_PATH", str(DATA_DIR / "models" / "tiny-wan-i2v")
        ),
        "profile": "tiny",
        "dtype": "float32",
        "device": "cpu",
        "steps": _TINY_STEPS,
        "guidance": 5.0,
        "capabilities": ["start_image"],
        "batch": _TINY_BATCH,
    },
    # A start and an end image (Wan's first-and-last-frame model, tiny and random: its own
    # transformer config, it does not take a start image alone). Not offered by default.
    "tiny-wan-flf2v": {
        "source": env_str(
            "VERNISSAGE_TINY_FLF2V_MODEL_PATH", str(DATA_DIR / "models" / "tiny-wan-flf2v")
        ),
        "profile": "tiny",
        "dtype": "float32",
        "device": "cpu",
        "steps": _TINY_STEPS,
        "guidance": 5.0,
        "capabilities": ["start_end_image"],
    },
    "wan2.1-t2v-1.3b": {
        "source": env_str("VERNISSAGE_WAN_SOURCE", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"),
        "profile": "wan",
        "dtype": "bfloat16",
        "device": "auto",
        "steps": env_int("VERNISSAGE_WAN_STEPS", 30, minimum=1, maximum=200),
        "guidance": 5.0,
        "local_files_only": env_str("VERNISSAGE_WAN_LOCAL_ONLY", "true") != "false",
        "capabilities": ["text"],
        "batch": env_int("VERNISSAGE_WAN_BATCH", 1, minimum=1, maximum=4),
    },
}
# Which of them artists may pick, and the one used when they don't.
GENERATION_ENABLED_MODELS = env_list("VERNISSAGE_MODELS", ["tiny-wan"])
GENERATION_DEFAULT_MODEL = env_str("VERNISSAGE_DEFAULT_MODEL", GENERATION_ENABLED_MODELS[0])
for _name in [*GENERATION_ENABLED_MODELS, GENERATION_DEFAULT_MODEL]:
    if _name not in GENERATION_MODELS:
        raise ImproperlyConfigured(
            f"VERNISSAGE_MODELS / VERNISSAGE_DEFAULT_MODEL name {_name!r}, which is not one of "
            f"{sorted(GENERATION_MODELS)}."
        )
if GENERATION_DEFAULT_MODEL not in GENERATION_ENABLED_MODELS:
    raise ImproperlyConfigured("VERNISSAGE_DEFAULT_MODEL must be one of VERNISSAGE_MODELS.")
# A submission that names no model is text to video.
_default_capabilities = GENERATION_MODELS[GENERATION_DEFAULT_MODEL]["capabilities"]
if not isinstance(_default_capabilities, list) or "text" not in _default_capabilities:
    raise ImproperlyConfigured(
        f"VERNISSAGE_DEFAULT_MODEL {GENERATION_DEFAULT_MODEL!r} does not make video from text."
    )

# The broker queue GPU workers consume (celery -A config worker -Q <this>).
GENERATION_QUEUE = env_str("VERNISSAGE_GPU_QUEUE", "gpu")
# Model routing (issue 16, decision 0030): one broker queue per model, "<queue>.<model>"
# (gpu.tiny-wan, gpu.wan2.1-t2v-1.3b). A worker started with -Q <queue> serves these
# models: it loads them at start, consumes only their queues and claims only their jobs.
GENERATION_WORKER_MODELS = env_list("VERNISSAGE_WORKER_MODELS", [GENERATION_DEFAULT_MODEL])
for _name in GENERATION_WORKER_MODELS:
    if _name not in GENERATION_ENABLED_MODELS:
        raise ImproperlyConfigured(
            f"VERNISSAGE_WORKER_MODELS names {_name!r}, which is not one of VERNISSAGE_MODELS "
            f"({', '.join(GENERATION_ENABLED_MODELS)})."
        )
# Fair share (jobs.scheduling): a cohort's recent service, and an artist's last turn, are
# read from its jobs that ran within this window.
GENERATION_FAIR_SHARE_WINDOW_SECONDS = env_int(
    "VERNISSAGE_FAIR_SHARE_WINDOW_SECONDS", 3600, minimum=60, maximum=7 * 86400
)

# A running job holds a lease in PostgreSQL, renewed by the worker's heartbeat; the reaper
# re-queues jobs whose lease ran out (worker killed, machine lost).
GENERATION_LEASE_SECONDS = env_int("VERNISSAGE_LEASE_SECONDS", 60, minimum=2, maximum=3600)
GENERATION_MAX_ATTEMPTS = env_int("VERNISSAGE_MAX_ATTEMPTS", 3, minimum=1, maximum=10)


# Render time limits (issue 16): a model's maximum render time, from the moment its render
# starts to its last step (its post-processing has the same limit again, on its own). Set
# per model ("tiny-wan=120,wan2.1-t2v-1.3b=2400"); a model not named there gets
# FIXED + PER_STEP x the job's steps. A render still stepping past it
# stops at its next step (a failed attempt, retried); one still running at limit + GRACE
# (stuck inside a step) ends its worker process, which systemd or `serve` starts again.
def _render_limits(name: str) -> dict[str, int]:
    limits: dict[str, int] = {}
    for item in env_list(name, []):
        model, equals, seconds = item.partition("=")
        model = model.strip()
        if not equals or model not in GENERATION_MODELS:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not <model>=<seconds> with a model of "
                f"{sorted(GENERATION_MODELS)}."
            )
        key = f"{name} ({model})"
        limits[model] = env_int(key, 0, minimum=1, maximum=86400, environ={key: seconds})
    return limits


GENERATION_MAX_RENDER_SECONDS = _render_limits("VERNISSAGE_MAX_RENDER_SECONDS")
GENERATION_RENDER_FIXED_SECONDS = env_int(
    "VERNISSAGE_RENDER_FIXED_SECONDS", 300, minimum=0, maximum=86400
)
GENERATION_RENDER_SECONDS_PER_STEP = env_int(
    "VERNISSAGE_RENDER_SECONDS_PER_STEP", 60, minimum=1, maximum=3600
)
GENERATION_RENDER_KILL_GRACE_SECONDS = env_int(
    "VERNISSAGE_RENDER_KILL_GRACE_SECONDS", 60, minimum=1, maximum=3600
)
GENERATION_REAPER_INTERVAL_SECONDS = env_int(
    "VERNISSAGE_REAPER_INTERVAL_SECONDS", 15, minimum=1, maximum=3600
)
# A queued job whose message may have been lost (broker down at submit) is published again
# after this long; a message delivered twice still runs the job once.
GENERATION_REPUBLISH_AFTER_SECONDS = env_int(
    "VERNISSAGE_REPUBLISH_AFTER_SECONDS", 600, minimum=5, maximum=86400
)
# Progress is written at most this often while a job runs.
GENERATION_PROGRESS_WRITE_SECONDS = 0.25
# Overlapped post-processing (issue 16, decision 0031): a worker process hands a rendered
# output (marks, encode, C2PA, poster, probe, store, the success transaction) to this many
# post-processing threads and renders the next job meanwhile; a render that finds every
# slot taken waits for one (at most this many outputs in post: memory stays bounded).
# 0: post-processing inline, after the render, as before.
GENERATION_POST_PROCESSING_SLOTS = env_int(
    "VERNISSAGE_POST_PROCESSING_SLOTS", 1, minimum=0, maximum=2
)

# Queue estimates (jobs.estimates): a model's last N first-attempt successes within D days
# give its pace; with fewer than MIN of them a job shows "no estimate yet". The workers are
# those with a fresh heartbeat on GENERATION_QUEUE; when none is known, this many.
GENERATION_ESTIMATE_HISTORY_JOBS = env_int(
    "VERNISSAGE_ESTIMATE_HISTORY_JOBS", 50, minimum=1, maximum=1000
)
GENERATION_ESTIMATE_HISTORY_DAYS = env_int(
    "VERNISSAGE_ESTIMATE_HISTORY_DAYS", 7, minimum=1, maximum=90
)
GENERATION_ESTIMATE_MIN_HISTORY = env_int(
    "VERNISSAGE_ESTIMATE_MIN_HISTORY", 3, minimum=1, maximum=100
)
GENERATION_WORKERS = env_int("VERNISSAGE_GPU_WORKERS", 1, minimum=1, maximum=1000)

# The prompt policy: rules (a JSON file of {"code", "pattern", "message"}) plus an optional
# classifier ("dotted.path.to.function" taking the prompt, returning None or (code, message)).
PROMPT_POLICY_RULES = env_json_records(
    "VERNISSAGE_PROMPT_POLICY_FILE",
    [
        {
            "code": "sexual_minors",
            "pattern": r"\b(child|minor|underage|kid)s?\b.*\b(nude|naked|sexual)\b",
            "message": "Sexual content involving minors is never allowed.",
        },
        {
            "code": "real_person_likeness",
            "pattern": r"\b(deepfake|face ?swap)\b",
            "message": "Depicting real people without consent (deepfakes) is not allowed.",
        },
        {
            "code": "graphic_violence",
            "pattern": r"\b(gore|dismember\w*|beheading)\b",
            "message": "Graphic violence is outside this preview's content policy.",
        },
    ],
    keys={"code", "pattern", "message"},
)
PROMPT_POLICY_CLASSIFIER = env_str("VERNISSAGE_PROMPT_CLASSIFIER", "")

# Input images (issue 17: image to video): POST /api/v1/uploads/ (uploads.images). Bytes and
# pixels are checked before any pixel is decoded; an upload no job used is deleted, with
# its file, by housekeeping after UNUSED_HOURS.
UPLOAD_MAX_BYTES = env_int(
    "VERNISSAGE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024, maximum=200 * 1024 * 1024
)
UPLOAD_MAX_PIXELS = env_int(
    "VERNISSAGE_UPLOAD_MAX_PIXELS", 16_000_000, minimum=65_536, maximum=64_000_000
)
UPLOAD_UNUSED_HOURS = env_int("VERNISSAGE_UPLOAD_UNUSED_HOURS", 24, minimum=1, maximum=720)

# Automated pre-screening (issue 18; decision 0035): after encoding, the worker runs a frame
# classifier ("dotted.path" to a callable taking (N, H, W, 3) uint8 frames, returning a
# generation.screening.FrameScreen) on CPU. A label in FLAG_LABELS scoring at least
# FLAG_THRESHOLD percent flags the item (shown blurred to reviewers); a failure, or no
# answer within TIMEOUT_SECONDS, sends it to review unflagged, marked "not screened".
# An empty classifier turns screening off (every item "not screened"). It never decides.
SCREEN_CLASSIFIER = env_str("VERNISSAGE_SCREEN_CLASSIFIER", "generation.screening.nudenet_classify")
SCREEN_FLAG_THRESHOLD = env_int("VERNISSAGE_SCREEN_FLAG_THRESHOLD", 50, minimum=0, maximum=100)
SCREEN_FLAG_LABELS = env_list(
    "VERNISSAGE_SCREEN_FLAG_LABELS",
    [
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "ANUS_EXPOSED",
    ],
)
SCREEN_TIMEOUT_SECONDS = env_int("VERNISSAGE_SCREEN_TIMEOUT_SECONDS", 30, minimum=1, maximum=600)
