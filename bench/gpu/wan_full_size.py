"""Full-size Wan 2.1 T2V 1.3B on one GPU, random weights: per-step time, the whole job,
peak memory, each stage, and a worker's busy ratio over a backlog (issue 16).

    python3 bench/gpu/wan_full_size.py --out DIR [--budget 430]      # on a GPU machine
    .venv/bin/python bench/gpu/wan_full_size.py --smoke               # seconds, on the CPU

No model hub is reachable where this runs, so the pipeline is built from the published
configs (``Wan-AI/Wan2.1-T2V-1.3B-Diffusers``: transformer 30 layers x 12 heads x 128,
FFN 8960; UMT5-XXL text encoder, 24 layers, d_model 4096; AutoencoderKLWan's defaults;
UniPC with flow_shift 3.0, 480p's) with random weights: speed does not depend on weight
values. The tokenizer is the tiny model's (Wan pads every prompt to 512 tokens, so the
text encoder's cost does not depend on the vocabulary). Everything is made directly on the
device in float32 and cast to bfloat16 (initialising 6.7 B parameters on the CPU takes
minutes). No Django: ``generation/`` only, plus the development C2PA chain.

In order, so that a run cut short still has its first figures (each phase rewrites
``wan_full_size.json`` and ``wan_full_size.txt`` in ``--out``; later phases are skipped
when ``--budget`` would be overrun):

1. warm-up: one render of the full shape with 2 steps (kernel selection, allocator).
2. the whole job, through ``generation.runner.render`` with a ``LoadedPipeline`` around
   the in-memory pipeline: 832x480, 81 frames, 50 steps, guidance 5.0 (two transformer
   passes per step). Per-step times come from the step callback (the device synchronised
   first, so each is that step's own GPU time); stages: text encode, 50 steps, VAE
   decode, postprocess to float frames, to uint8. Peak GPU memory over the job. Then the
   worker's post-processing of that output, timed per stage.
3. the project's load path: ``save_pretrained`` to local disk, the in-memory copy freed,
   then ``generation.registry.PipelineRegistry`` with a ``ModelSpec(source=<folder>,
   dtype="bfloat16", device=<device>)`` (``from_pretrained`` + ``.to``), one 2-step render
   of what it loaded, and its parameter dtypes compared with the in-memory build's.
4. backlog, on the pipeline the registry loaded: ``--backlog`` jobs back to back (up to
   ``--backlog-steps`` steps each: fewer when the budget has no room, and the report says
   how many), sequential (post-processing inline after each render) and overlapped (the
   post-processing of job N in a thread beside the render of job N+1, at most one output
   in post, as the worker does). Busy ratio = seconds inside ``render`` / wall seconds
   (first render start to last output done); gap = one render's end to the next one's
   start.

Post-processing is what the worker does to an output that needs no database: marks
(visible, as a cohort may ask, then forensic), H.264 encode, C2PA sign and read back,
poster, probe, SHA-256. Without an ``ffprobe`` binary the probe is replaced by an ffmpeg
decode of the whole file (what ``ffprobe -count_frames`` does), and the report says so.
Not here: storage copies and the success transaction (docs/benchmarks.md, "Generation").
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform as stdlib_platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

import numpy as np  # noqa: E402

from generation.encoding import encode_mp4, probe, sha256_of, write_poster  # noqa: E402
from generation.provenance import SigningKey, created_manifest, read_manifest, sign_video  # noqa: E402
from generation.registry import LoadedPipeline, ModelSpec, PipelineRegistry  # noqa: E402
from generation.runner import RenderRequest, render, render_batch  # noqa: E402
from generation.visible_watermark import apply_visible_watermark  # noqa: E402
from generation.watermark import embed  # noqa: E402

MODEL = "wan2.1-t2v-1.3b"
PUBLISHED_SOURCE = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
FPS = 16  # Wan 2.1's frame rate (generation.geometry.PROFILES["wan"])
WATERMARK_KEY = b"bench-watermark-key-0123456789"
WATERMARK_STRENGTH = 2.8  # VERNISSAGE_WATERMARK_STRENGTH's default
PROMPT = "a red fox walks through a snowy forest at dawn, slow camera, film"
NEGATIVE = "blurry, low quality, static"
POST_STAGES = ("marks", "encode", "sign", "poster", "probe", "sha256")

# The published configs (Wan-AI/Wan2.1-T2V-1.3B-Diffusers: transformer/config.json,
# text_encoder/config.json = google/umt5-xxl's encoder, vae/config.json) and, for --smoke,
# the tiny model's (generation/tiny_model.py).
FULL = {
    "transformer": dict(
        patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16,
        out_channels=16, text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", eps=1e-6,
        rope_max_seq_len=1024,
    ),
    "text_encoder": dict(
        vocab_size=256384, d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64,
        relative_attention_num_buckets=32, relative_attention_max_distance=128,
        dropout_rate=0.0, feed_forward_proj="gated-gelu", layer_norm_epsilon=1e-6,
        tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    ),
    "vae": dict(
        base_dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
        temperal_downsample=[False, True, True],  # diffusers' spelling
    ),
}  # fmt: skip
SMOKE = {
    "transformer": dict(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16,
        out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", eps=1e-6, rope_max_seq_len=32,
    ),
    "text_encoder": dict(
        vocab_size=256, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8, relative_attention_max_distance=32,
        dropout_rate=0.0, feed_forward_proj="gated-gelu", tie_word_embeddings=False,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    ),
    "vae": dict(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        temperal_downsample=[False, True, True],
    ),
}  # fmt: skip


def now() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S")


def say(message: str) -> None:
    print(f"[{now()}] {message}", flush=True)


def sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    return {
        "n": len(values),
        "median": statistics.median(values),
        "mean": statistics.fmean(values),
        "p90": pick(0.9),
        "min": ordered[0],
        "max": ordered[-1],
    }


# ------------------------------------------------------------------ building


def build_pipeline(configs: dict[str, dict[str, Any]], *, device: str, dtype: Any) -> Any:
    """The Wan pipeline with random weights, made on ``device`` and cast to ``dtype``."""
    import torch
    from diffusers import (
        AutoencoderKLWan,
        UniPCMultistepScheduler,
        WanPipeline,
        WanTransformer3DModel,
    )
    from transformers import UMT5Config, UMT5EncoderModel

    from generation.tiny_model import tiny_tokenizer

    tokenizer = tiny_tokenizer()
    text_config = dict(configs["text_encoder"])
    text_config["vocab_size"] = max(text_config["vocab_size"], len(tokenizer))
    torch.manual_seed(0)
    with torch.device(device):
        text_encoder = cast_like_from_pretrained(UMT5EncoderModel(UMT5Config(**text_config)), dtype)
        transformer = cast_like_from_pretrained(
            WanTransformer3DModel(**configs["transformer"]), dtype
        )
        vae = cast_like_from_pretrained(AutoencoderKLWan(**configs["vae"]), dtype)
    scheduler = UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000,
        flow_shift=3.0,
    )  # fmt: skip
    pipeline = WanPipeline(
        tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer,
        scheduler=scheduler, transformer_2=None,
    )  # fmt: skip
    pipeline.set_progress_bar_config(disable=True)
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
    return pipeline


def cast_like_from_pretrained(model: Any, dtype: Any) -> Any:
    """``model`` in ``dtype`` as ``from_pretrained(..., dtype=dtype)`` would load it: the
    modules a diffusers model names in ``_keep_in_fp32_modules`` stay float32 (Wan's
    RoPE, time embedder, modulation table and norms); transformers keeps its list (UMT5's
    ``wo``) in float32 for float16 only, so the text encoder is all ``dtype``."""
    import torch

    keep: list[str] = []
    if type(model).__module__.startswith("diffusers"):
        keep = list(getattr(model, "_keep_in_fp32_modules", None) or [])
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if tensor.is_floating_point():
            wanted = torch.float32 if any(k in name.split(".") for k in keep) else dtype
            tensor.data = tensor.data.to(wanted)
    return model.eval()


def dtype_counts(model: Any) -> dict[str, int]:
    """Parameters per dtype, to compare the in-memory build with what the registry loads."""
    counts: dict[str, int] = {}
    for tensor in model.parameters():
        key = str(tensor.dtype).removeprefix("torch.")
        counts[key] = counts.get(key, 0) + tensor.numel()
    return counts


def parameter_counts(pipeline: Any) -> dict[str, int]:
    return {
        name: sum(p.numel() for p in getattr(pipeline, name).parameters())
        for name in ("text_encoder", "transformer", "vae")
    }


def step_flops(
    configs: dict[str, dict[str, Any]], *, frames: int, height: int, width: int
) -> float:
    """Approximate FLOPs of one denoising step with CFG (two transformer passes): the
    linear layers (2 x weights x tokens) and attention (4 x tokens^2 x dim self, 4 x tokens
    x 512 x dim cross). Norms, RoPE and modulation are left out (memory-bound, small)."""
    t = configs["transformer"]
    dim = t["num_attention_heads"] * t["attention_head_dim"]
    _, ph, pw = t["patch_size"]
    tokens = ((frames - 1) // 4 + 1) * (height // 8 // ph) * (width // 8 // pw)
    per_layer_weights = 4 * dim * dim + 2 * dim * dim + 2 * dim * t["ffn_dim"]
    linear = 2 * per_layer_weights * tokens * t["num_layers"]
    attention = (4 * tokens * tokens * dim + 4 * tokens * 512 * dim) * t["num_layers"]
    return 2.0 * (linear + attention)


# ------------------------------------------------------------------ one render, timed


@dataclass
class RenderTiming:
    wall: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    steps: list[float] = field(default_factory=list)  # seconds per denoising step
    started: float = 0.0
    finished: float = 0.0


class TimedPipeline:
    """Stands in for the pipeline in a ``LoadedPipeline``: forwards the call, and times
    its stages by wrapping ``encode_prompt`` and ``vae.decode`` (device synchronised)."""

    def __init__(self, pipeline: Any, device: str) -> None:
        self.pipeline = pipeline
        self.device = device
        self.marks: dict[str, float] = {}
        self._lock = threading.Lock()
        encode, decode = pipeline.encode_prompt, pipeline.vae.decode

        def timed_encode(*args: Any, **kwargs: Any) -> Any:
            out = encode(*args, **kwargs)
            sync(device)
            self.marks["encoded"] = time.perf_counter()
            return out

        def timed_decode(*args: Any, **kwargs: Any) -> Any:
            sync(device)
            self.marks["decode_start"] = time.perf_counter()
            out = decode(*args, **kwargs)
            sync(device)
            self.marks["decoded"] = time.perf_counter()
            return out

        pipeline.encode_prompt = timed_encode
        pipeline.vae.decode = timed_decode

    def __call__(self, **kwargs: Any) -> Any:
        self.marks = {"start": time.perf_counter()}
        out = self.pipeline(**kwargs)
        self.marks["returned"] = time.perf_counter()
        return out


def timed_render(loaded: LoadedPipeline, request: RenderRequest) -> tuple[np.ndarray, RenderTiming]:
    timed: TimedPipeline = loaded.pipeline
    timing = RenderTiming()
    step_marks: list[float] = []

    def on_step(done: int, total: int) -> None:
        sync(loaded.device)
        step_marks.append(time.perf_counter())

    timing.started = time.perf_counter()
    frames = render(loaded, request, on_step)
    timing.finished = time.perf_counter()
    m = timed.marks
    bounds = [m["encoded"], *step_marks]
    timing.steps = [b - a for a, b in itertools.pairwise(bounds)]
    timing.wall = timing.finished - timing.started
    timing.stages = {
        "text_encode": m["encoded"] - m["start"],
        "denoise": step_marks[-1] - m["encoded"],
        "between_steps_and_decode": m["decode_start"] - step_marks[-1],
        "vae_decode": m["decoded"] - m["decode_start"],
        "postprocess_float_frames": m["returned"] - m["decoded"],
        "to_uint8": timing.finished - m["returned"],
        "setup_before_pipeline": m["start"] - timing.started,
    }
    return frames, timing


# ------------------------------------------------------------------ post-processing


@dataclass
class Signing:
    key: SigningKey
    anchors: bytes


def signing_chain(folder: Path | None, scratch: Path) -> Signing:
    """The development chain from ``folder`` (chain.pem, signer.key, root.pem), or a new
    one made there (needs ``cryptography``, which the device machine may lack: make it
    beforehand and pass ``--c2pa-chain``)."""
    if folder is None:
        from provenance.dev_certs import dev_chain_write

        chain, _ = dev_chain_write(folder=scratch / "c2pa")
        cert, key, root = chain.cert_chain, chain.private_key, chain.root
    else:
        cert, key, root = folder / "chain.pem", folder / "signer.key", folder / "root.pem"
    return Signing(
        key=SigningKey.from_files(cert_chain=cert, private_key=key), anchors=root.read_bytes()
    )


def ffmpeg_decode_probe(path: Path) -> int:
    """Stands in for ffprobe -count_frames where there is none: decode every frame."""
    done = subprocess.run(  # noqa: S603
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],  # noqa: S607
        capture_output=True,
        check=True,
        timeout=120,
    )
    return len(done.stderr)


def post_process(
    frames: np.ndarray, *, job_id: int, folder: Path, signing: Signing
) -> dict[str, float]:
    """What the worker does to one output short of storage and the database; seconds per
    stage, in the worker's order."""
    folder.mkdir(parents=True, exist_ok=True)
    video, poster = folder / "video.mp4", folder / "poster.jpg"
    signed = folder / "signed.mp4"
    marks = [time.perf_counter()]
    marked = apply_visible_watermark(frames, text="Vernissage · Bench Artist")
    marked = embed(marked, job_id=job_id, key=WATERMARK_KEY, strength=WATERMARK_STRENGTH)
    marks.append(time.perf_counter())
    encode_mp4(marked, fps=FPS, path=video)
    marks.append(time.perf_counter())
    manifest = created_manifest(
        title="Vernissage video.mp4", generator_name="Vernissage", generator_version="0.1.0",
        model_name=MODEL, model_source=PUBLISHED_SOURCE, author="Bench Artist",
    )  # fmt: skip
    sign_video(source=video, dest=signed, manifest=manifest, key=signing.key)
    report = read_manifest(signed, trust_anchors_pem=signing.anchors)
    if not report.is_valid:
        raise RuntimeError(f"signed video does not validate: {report.failure_codes}")
    os.replace(signed, video)
    marks.append(time.perf_counter())
    write_poster(marked, path=poster)
    marks.append(time.perf_counter())
    if shutil.which("ffprobe"):
        info = probe(video)
        if info.frame_count != len(frames):
            raise RuntimeError(f"probe counted {info.frame_count} frames, not {len(frames)}")
    else:
        ffmpeg_decode_probe(video)
    marks.append(time.perf_counter())
    sha256_of(video)
    marks.append(time.perf_counter())
    return {
        stage: b - a for stage, a, b in zip(POST_STAGES, marks[:-1], marks[1:], strict=True)
    } | {"total": marks[-1] - marks[0], "video_bytes": float(video.stat().st_size)}


# ------------------------------------------------------------------ the backlog


def run_backlog(
    loaded: LoadedPipeline,
    requests: list[RenderRequest],
    *,
    overlapped: bool,
    scratch: Path,
    signing: Signing,
) -> dict[str, Any]:
    renders: list[RenderTiming] = []
    posts: list[dict[str, float]] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="post") if overlapped else None
    pending: Future[dict[str, float]] | None = None
    began = time.perf_counter()
    for index, request in enumerate(requests):
        frames, timing = timed_render(loaded, request)
        renders.append(timing)
        folder = scratch / f"{'overlap' if overlapped else 'seq'}-{index}"
        if pool is None:
            posts.append(post_process(frames, job_id=1000 + index, folder=folder, signing=signing))
            continue
        if pending is not None:  # at most one output in post: the bounded pipeline
            posts.append(pending.result())
        pending = pool.submit(
            post_process, frames, job_id=1000 + index, folder=folder, signing=signing
        )
    if pending is not None:
        posts.append(pending.result())
    if pool is not None:
        pool.shutdown()
    wall = time.perf_counter() - began
    busy = sum(r.wall for r in renders)
    gaps = [b.started - a.finished for a, b in itertools.pairwise(renders)]
    return {
        "mode": "overlapped" if overlapped else "sequential",
        "jobs": len(requests),
        "wall_s": wall,
        "render_s": [r.wall for r in renders],
        "post_s": [p["total"] for p in posts],
        "post_stages_median_s": {
            s: statistics.median(p[s] for p in posts) for s in (*POST_STAGES, "total")
        },
        "busy_ratio": busy / wall,
        "gaps_s": gaps,
        "jobs_per_minute": len(requests) / wall * 60,
        "step_s_median": statistics.median(s for r in renders for s in r.steps[1:] or r.steps),
    }


# ------------------------------------------------------------------ the run


@dataclass
class Report:
    path_json: Path | None
    path_text: Path | None
    data: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def line(self, text: str) -> None:
        self.lines.append(text)
        print(text, flush=True)

    def save(self) -> None:
        if self.path_json is not None:
            self.path_json.write_text(json.dumps(self.data, indent=2, default=str))
        if self.path_text is not None:
            self.path_text.write_text("\n".join(self.lines) + "\n")


@contextmanager
def phase(report: Report, name: str) -> Iterator[None]:
    say(f"{name}: start")
    started = time.perf_counter()
    try:
        yield
    except Exception as error:
        report.data.setdefault("errors", {})[name] = f"{type(error).__name__}: {error}"
        report.line(f"{name}: FAILED {type(error).__name__}: {error}")
        report.save()
        raise
    report.data.setdefault("phase_seconds", {})[name] = time.perf_counter() - started
    say(f"{name}: done in {time.perf_counter() - started:.1f} s")
    report.save()


def environment(device: str) -> dict[str, Any]:
    import diffusers
    import torch
    import transformers

    env: dict[str, Any] = {
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "diffusers": diffusers.__version__,
        "transformers": transformers.__version__,
        "host": stdlib_platform.node(),
        "cpus": os.cpu_count(),
        "device": device,
        "ffmpeg": shutil.which("ffmpeg"),
        "ffprobe": shutil.which("ffprobe"),
    }
    if device.startswith("cuda"):
        props = torch.cuda.get_device_properties(0)
        env |= {
            "gpu": torch.cuda.get_device_name(0),
            "gpu_memory_gib": round(props.total_memory / 2**30, 1),
            "multiprocessors": props.multi_processor_count,
            "cuda": torch.version.cuda,
        }
        for flag in ("flash_sdp_enabled", "cudnn_sdp_enabled", "mem_efficient_sdp_enabled"):
            check = getattr(torch.backends.cuda, flag, None)
            env[flag] = check() if check else None
        try:
            smi = subprocess.run(
                ["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit",  # noqa: S607
                 "--format=csv,noheader"],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
            env["nvidia_smi"] = smi.stdout.strip()
        except OSError as error:
            env["nvidia_smi"] = f"unavailable: {error}"
    return env


def request_for(args: argparse.Namespace, *, steps: int, seed: int) -> RenderRequest:
    return RenderRequest(
        prompt=PROMPT, negative_prompt=NEGATIVE, num_frames=args.frames, height=args.height,
        width=args.width, seed=seed, steps=steps, guidance=args.guidance,
    )  # fmt: skip


def fmt_stats(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    s = stats([v * scale for v in values])
    return (
        f"n={s['n']} median={s['median']:.3f} {unit} p90={s['p90']:.3f} {unit} "
        f"min={s['min']:.3f} {unit} max={s['max']:.3f} {unit}"
    )


def registry_phase(
    report: Report,
    args: argparse.Namespace,
    *,
    pipeline: Any,
    built_dtypes: dict[str, dict[str, int]],
    left: float,
    scratch: Path,
    device: str,
) -> LoadedPipeline:
    """save_pretrained, then load through ``generation.registry`` as a worker does and run
    a 2-step render of it. Returns what it loaded (or the in-memory pipeline when the
    budget has no room for it)."""
    import torch

    if left < 150:
        report.line(f"load through generation.registry: SKIPPED, {left:.0f} s left")
        report.data["registry_load"] = {"skipped": f"{left:.0f} s left"}
        report.save()
        return LoadedPipeline(
            spec=ModelSpec(name=MODEL, source="(in memory)", device=device),
            pipeline=TimedPipeline(pipeline, device),
            device=device,
        )
    with phase(report, "registry"):
        folder = args.save_dir or scratch / "wan-full"
        t0 = time.perf_counter()
        pipeline.save_pretrained(str(folder))
        saved = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        # Free the in-memory copy first: a worker holds one pipeline, not two.
        for name in ("text_encoder", "transformer", "vae"):
            getattr(pipeline, name).to("meta")
        gc.collect()
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
        registry = PipelineRegistry(
            {MODEL: ModelSpec(name=MODEL, source=str(folder), dtype="bfloat16", device=device)}
        )
        real = registry.get(MODEL)
        sync(device)
        scheduler = type(real.pipeline.scheduler).__name__
        loaded_dtypes = {name: dtype_counts(getattr(real.pipeline, name)) for name in built_dtypes}
        layers = real.pipeline.transformer.config.num_layers
        loaded = LoadedPipeline(
            spec=real.spec, pipeline=TimedPipeline(real.pipeline, real.device), device=real.device
        )
        frames, check = timed_render(loaded, request_for(args, steps=2, seed=3))
        report.data["registry_load"] = {
            "save_s": saved, "bytes": size, "load_s": real.load_seconds,
            "scheduler": scheduler, "transformer_layers": layers,
            "render_2_steps_s": check.wall, "step_s": check.steps,
            "frames_shape": list(frames.shape), "dtypes": loaded_dtypes,
            "dtypes_match_in_memory_build": loaded_dtypes == built_dtypes,
        }  # fmt: skip
        report.line(
            f"save_pretrained: {size / 1e9:.2f} GB in {saved:.1f} s; "
            f"PipelineRegistry.get (from_pretrained + .to({device})): {real.load_seconds:.1f} s; "
            f"loaded {scheduler}, {layers} layers; a 2-step render of it: {check.wall:.2f} s "
            f"(steps {', '.join(f'{s:.3f}' for s in check.steps)} s); parameter dtypes "
            f"{'match' if loaded_dtypes == built_dtypes else 'DIFFER from'} the in-memory build"
        )
        shutil.rmtree(folder, ignore_errors=True)
    return loaded


def backlog_phase(
    report: Report,
    args: argparse.Namespace,
    *,
    loaded: LoadedPipeline,
    steps: int,
    job: RenderTiming,
    scratch: Path,
    signing: Signing,
) -> None:
    requests = [request_for(args, steps=steps, seed=100 + i) for i in range(args.backlog)]
    runs = [
        run_backlog(loaded, requests, overlapped=False, scratch=scratch, signing=signing),
        run_backlog(loaded, requests, overlapped=True, scratch=scratch, signing=signing),
    ]
    report.data["backlog"] = {"steps": steps, "pipeline": loaded.spec.source, "runs": runs}
    for run in runs:
        report.line(
            f"backlog {run['mode']}: {run['jobs']} jobs x {steps} steps in "
            f"{run['wall_s']:.2f} s = {run['jobs_per_minute']:.2f} jobs/min; busy ratio "
            f"{run['busy_ratio']:.3f}; gaps between renders "
            + ", ".join(f"{g * 1000:.0f} ms" for g in run["gaps_s"])
            + f"; render {statistics.median(run['render_s']):.2f} s, post "
            f"{statistics.median(run['post_s']):.2f} s (median); step "
            f"{run['step_s_median']:.3f} s"
        )
    stages = runs[0]["post_stages_median_s"]
    report.line(
        "  post stages (median, sequential): "
        + ", ".join(f"{k} {v:.3f} s" for k, v in stages.items())
    )
    # The same render and post at the full step count, by arithmetic.
    full = job.wall
    report.line(
        f"  at {args.steps} steps (the measured job and this post): sequential busy ratio "
        f"{full / (full + stages['total']):.3f}; overlapped: 1 less the gap per job"
    )


def batch_phase(
    report: Report, args: argparse.Namespace, *, loaded: LoadedPipeline, device: str
) -> None:
    """Variations in one pipeline call (generation.runner.render_batch, as jobs.batches
    renders them): per-step time and peak memory at each batch size, and the time per
    output against one by one (decision 0034; what VERNISSAGE_WAN_BATCH should be)."""
    import torch

    results = report.data.setdefault("batch", {})
    for size in [int(s) for s in args.batch_sizes.split(",")]:
        with phase(report, f"batch-{size}"):
            if device.startswith("cuda"):
                torch.cuda.reset_peak_memory_stats()
            marks: list[float] = []

            def on_step(done: int, total: int, marks: list[float] = marks) -> None:
                sync(device)
                marks.append(time.perf_counter())

            requests = [request_for(args, steps=args.batch_steps, seed=7 + i) for i in range(size)]
            started = time.perf_counter()
            try:
                render_batch(loaded, requests, on_step)
            except torch.OutOfMemoryError:
                report.line(f"batch {size}: out of GPU memory")
                results[str(size)] = {"oom": True}
                torch.cuda.empty_cache()
                continue
            wall = time.perf_counter() - started
            steps = [b - a for a, b in itertools.pairwise(marks)]  # steps 2..n
            peak = torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else 0
            median = statistics.median(steps) if steps else float("nan")
            results[str(size)] = {"wall_s": wall, "step_s": stats(steps), "peak_gib": peak}
            report.line(
                f"batch {size}: {args.batch_steps} steps in {wall:.2f} s; median step "
                f"{median:.3f} s = {median / size:.3f} s per output-step; peak {peak:.1f} GiB"
            )
    report.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny configs on the CPU, seconds")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the JSON and text report"
    )
    parser.add_argument("--device", default=None, help="default: cuda, or cpu with --smoke")
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--width", type=int, default=832)
    parser.add_argument("--frames", type=int, default=81)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--guidance", type=float, default=5.0)
    parser.add_argument("--backlog", type=int, default=3)
    parser.add_argument("--backlog-steps", type=int, default=10)
    parser.add_argument("--budget", type=float, default=0, help="seconds; 0: no limit")
    parser.add_argument("--save-dir", type=Path, default=None, help="where save_pretrained writes")
    parser.add_argument(
        "--c2pa-chain", type=Path, default=None, help="chain.pem, signer.key, root.pem"
    )
    parser.add_argument(
        "--batch-sizes",
        default="",
        help="e.g. 1,2,4: only time variations rendered in one call (render_batch) at these "
        "sizes after the warm-up, --batch-steps steps each, then stop",
    )
    parser.add_argument("--batch-steps", type=int, default=4)
    args = parser.parse_args()
    configs = FULL
    if args.smoke:
        configs = SMOKE
        args.height, args.width, args.frames, args.steps = 32, 48, 9, 3
        args.backlog, args.backlog_steps = 2, 2
    device = args.device or ("cpu" if args.smoke else "cuda")
    started = time.perf_counter()

    def left() -> float:
        return args.budget - (time.perf_counter() - started) if args.budget else float("inf")

    import torch

    if device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("no CUDA device: run with --smoke (CPU) or on a GPU machine")
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    out = args.out
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    report = Report(
        path_json=out / "wan_full_size.json" if out else None,
        path_text=out / "wan_full_size.txt" if out else None,
    )
    scratch = Path(tempfile.mkdtemp(prefix="wan-full-"))
    report.data["environment"] = environment(device)
    report.data["shape"] = {
        "height": args.height, "width": args.width, "frames": args.frames, "steps": args.steps,
        "guidance": args.guidance, "dtype": str(dtype).removeprefix("torch."),
        "scheduler": "UniPCMultistepScheduler(flow_prediction, use_flow_sigmas, flow_shift=3.0)",
        "configs": "smoke (tiny)" if args.smoke else f"full size ({PUBLISHED_SOURCE})",
    }  # fmt: skip
    env = report.data["environment"]
    report.line(
        f"device: {env.get('gpu', device)} ({env.get('nvidia_smi', 'cpu')}); torch "
        f"{env['torch']}, diffusers {env['diffusers']}, transformers {env['transformers']}; "
        f"{env['cpus']} CPUs; ffprobe: {'yes' if env['ffprobe'] else 'no (ffmpeg decode instead)'}"
    )
    report.save()

    with phase(report, "build"):
        signing = signing_chain(args.c2pa_chain, scratch)
        t0 = time.perf_counter()
        pipeline = build_pipeline(configs, device=device, dtype=dtype)
        sync(device)
        counts = parameter_counts(pipeline)
        built_dtypes = {name: dtype_counts(getattr(pipeline, name)) for name in counts}
        report.data["build"] = {
            "seconds": time.perf_counter() - t0, "parameters": counts, "dtypes": built_dtypes,
        }  # fmt: skip
        report.line(
            f"built on {device} in {time.perf_counter() - t0:.1f} s: parameters "
            + ", ".join(f"{k} {v / 1e6:.1f} M" for k, v in counts.items())
        )
    spec = ModelSpec(
        name=MODEL, source="(in memory)", dtype="bfloat16", device=device, steps=args.steps
    )
    loaded = LoadedPipeline(spec=spec, pipeline=TimedPipeline(pipeline, device), device=device)

    with phase(report, "warm-up"):
        _, warm = timed_render(loaded, request_for(args, steps=2, seed=1))
        report.data["warm_up"] = {"wall_s": warm.wall, "stages_s": warm.stages}
        report.line(f"warm-up (2 steps, full shape): {warm.wall:.2f} s")

    if args.batch_sizes:
        batch_phase(report, args, loaded=loaded, device=device)
        return

    with phase(report, "job"):
        if device.startswith("cuda"):
            torch.cuda.reset_peak_memory_stats()
        frames, job = timed_render(loaded, request_for(args, steps=args.steps, seed=7))
        peak = {}
        if device.startswith("cuda"):
            peak = {
                "allocated_gib": torch.cuda.max_memory_allocated() / 2**30,
                "reserved_gib": torch.cuda.max_memory_reserved() / 2**30,
            }
        steps = job.steps[1:] if len(job.steps) > 1 else job.steps  # first step: warm-up
        flops = step_flops(configs, frames=args.frames, height=args.height, width=args.width)
        median_step = statistics.median(steps)
        report.data["job"] = {
            "wall_s": job.wall, "stages_s": job.stages, "step_s": stats(steps),
            "step_s_all": job.steps, "peak_memory": peak, "frames_shape": list(frames.shape),
            "approx_step_tflop": flops / 1e12, "approx_tflops_per_s": flops / median_step / 1e12,
        }  # fmt: skip
        report.line(
            f"job {args.width}x{args.height}, {args.frames} frames, {args.steps} steps, "
            f"guidance {args.guidance}: wall {job.wall:.2f} s"
        )
        report.line(f"  per step (steps 2..{args.steps}): {fmt_stats(steps)}")
        report.line(
            f"  approx {flops / 1e12:.0f} TFLOP per step (CFG: 2 passes) = "
            f"{flops / median_step / 1e12:.0f} TFLOP/s at the median step"
        )
        for stage, seconds in job.stages.items():
            report.line(f"  stage {stage}: {seconds:.3f} s")
        if peak:
            report.line(
                f"  peak GPU memory: {peak['allocated_gib']:.2f} GiB allocated, "
                f"{peak['reserved_gib']:.2f} GiB reserved"
            )
        post = post_process(frames, job_id=999, folder=scratch / "job", signing=signing)
        report.data["job"]["post_s"] = post
        report.line(
            "  worker post-processing of this output: "
            + ", ".join(f"{k} {v:.3f} s" for k, v in post.items() if k != "video_bytes")
            + f" ({post['video_bytes'] / 1024:.0f} KiB)"
        )
        report.line(f"  job + post-processing: {job.wall + post['total']:.2f} s")
        del frames

    # 3. the project's load path; what it loads runs the backlog.
    try:
        loaded = registry_phase(
            report, args, pipeline=pipeline, built_dtypes=built_dtypes, left=left(),
            scratch=scratch, device=device,
        )  # fmt: skip
    except Exception as error:
        say(f"registry phase failed ({error!r}): rebuilding in memory for the backlog")
        loaded = LoadedPipeline(
            spec=spec,
            pipeline=TimedPipeline(build_pipeline(configs, device=device, dtype=dtype), device),
            device=device,
        )
    del pipeline

    # 4. the backlog, with as many steps per job (up to --backlog-steps) as the budget allows.
    s = job.stages
    fixed = s["text_encode"] + s["vae_decode"] + s["postprocess_float_frames"] + s["to_uint8"]
    per_step = median_step
    post_guess = post["total"]
    room = left() / (2 * args.backlog * 1.15) - fixed - post_guess  # both modes, 15 % margin
    steps_fit = args.backlog_steps
    if args.budget:
        steps_fit = min(args.backlog_steps, int(room / per_step)) if room > 0 else 0
    if steps_fit < min(3, args.backlog_steps):
        report.line(f"backlog: SKIPPED, {left():.0f} s left")
        report.data["backlog"] = {"skipped": f"{left():.0f} s left"}
        report.save()
    else:
        with phase(report, "backlog"):
            backlog_phase(report, args, loaded=loaded, steps=steps_fit, job=job, scratch=scratch,
                          signing=signing)  # fmt: skip
    report.data["total_s"] = time.perf_counter() - started
    report.line(f"total: {time.perf_counter() - started:.1f} s")
    report.save()
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
