"""A tiny, randomly initialised Wan text-to-video pipeline, built offline.

Used by the embedded default and the tests. It goes through exactly the code path a real
model does (``save_pretrained`` here, ``DiffusionPipeline.from_pretrained`` in the worker);
its output is noise-like video. Configs from shared/notes/tiny-model.md. No Django here.
"""

from __future__ import annotations

import string
from pathlib import Path

_WORDS = [
    "a",
    "the",
    "of",
    "and",
    "in",
    "on",
    "with",
    "at",
    "to",
    "for",
    "from",
    "by",
    "is",
    "are",
    "be",
    "this",
    "that",
    "it",
    "as",
    "an",
    "or",
    "cat",
    "dog",
    "bird",
    "fish",
    "horse",
    "city",
    "sea",
    "sky",
    "sun",
    "moon",
    "tree",
    "forest",
    "mountain",
    "river",
    "night",
    "day",
    "light",
    "dark",
    "red",
    "blue",
    "green",
    "gold",
    "white",
    "black",
    "slow",
    "fast",
    "camera",
    "shot",
    "close",
    "wide",
    "portrait",
    "painting",
    "film",
    "video",
    "dance",
    "walk",
    "run",
    "fly",
    "rain",
    "snow",
    "fire",
    "water",
    "street",
    "car",
    "train",
]


def _vocabulary() -> list[tuple[str, float]]:
    pieces: list[tuple[str, float]] = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(f"▁{word}", -5.0 - i * 0.01) for i, word in enumerate(_WORDS)]
    printable = [c for c in string.printable if c not in string.whitespace]
    pieces += [(c, -12.0) for c in printable]
    pieces += [(f"▁{c}", -11.0) for c in printable]
    return pieces


def build_tiny_wan(path: str | Path) -> Path:
    """Build and save the tiny pipeline into ``path``; returns the folder."""
    import torch
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanPipeline,
        WanTransformer3DModel,
    )
    from transformers import T5Tokenizer, UMT5Config, UMT5EncoderModel

    target = Path(path)
    tokenizer = T5Tokenizer(vocab=_vocabulary(), extra_ids=0)
    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(
        UMT5Config(
            vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
            relative_attention_num_buckets=8, relative_attention_max_distance=32,
            dropout_rate=0.0, feed_forward_proj="gated-gelu", pad_token_id=0, eos_token_id=1,
            decoder_start_token_id=0,
        )
    )  # fmt: skip
    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        temperal_downsample=[False, True, True],  # diffusers' spelling
    )  # fmt: skip
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16,
        out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    )  # fmt: skip
    scheduler = FlowMatchEulerDiscreteScheduler(shift=7.0)
    pipeline = WanPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        transformer=transformer,
        scheduler=scheduler,
        transformer_2=None,
    )
    target.mkdir(parents=True, exist_ok=True)
    pipeline.save_pretrained(str(target))
    return target
