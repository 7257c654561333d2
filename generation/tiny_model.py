"""Tiny, randomly initialised Wan pipelines (text-to-video, image-to-video from a start
image, and from a start and an end image), built offline.

Used by the embedded default and the tests. They go through exactly the code path a real
model does (``save_pretrained`` here, ``DiffusionPipeline.from_pretrained`` in the worker);
their output is noise-like video. Configs from shared/notes/tiny-model.md and
shared/notes/tiny-image-to-video.md. No Django here.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

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


def _shared_components() -> dict[str, Any]:
    """Tokenizer, text encoder, VAE and scheduler: the same in both tiny pipelines."""
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler
    from transformers import T5Tokenizer, UMT5Config, UMT5EncoderModel

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
    return {
        "tokenizer": tokenizer,
        "text_encoder": text_encoder,
        "vae": vae,
        "scheduler": FlowMatchEulerDiscreteScheduler(shift=7.0),
    }


def _tiny_transformer(
    *, in_channels: int, image_dim: int | None, pos_embed_seq_len: int | None = None
) -> Any:
    import torch
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    return WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
        in_channels=in_channels, out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32,
        num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32, image_dim=image_dim, pos_embed_seq_len=pos_embed_seq_len,
    )  # fmt: skip


def _save(pipeline: Any, path: str | Path) -> Path:
    target = Path(path)
    target.mkdir(parents=True, exist_ok=True)
    pipeline.save_pretrained(str(target))
    return target


def tiny_tokenizer() -> Any:
    """The tiny model's T5 tokenizer: a few words and single characters. Wan pads every
    prompt to 512 tokens, so a text encoder's cost does not depend on the vocabulary: the
    full-size GPU benchmark (bench/gpu/wan_full_size.py) uses this one too."""
    from transformers import T5Tokenizer

    return T5Tokenizer(vocab=_vocabulary(), extra_ids=0)


def build_tiny_wan(path: str | Path) -> Path:
    """Build and save the tiny text-to-video pipeline into ``path``; returns the folder."""
    from diffusers import WanPipeline

    pipeline = WanPipeline(
        **_shared_components(),
        transformer=_tiny_transformer(in_channels=16, image_dim=None),
        transformer_2=None,
    )
    return _save(pipeline, path)


# The tiny CLIP image encoder of the image-to-video models: 32x32 pictures in 8x8 patches,
# so 16 patch tokens + 1 class token per image, each of hidden size 16.
_CLIP_HIDDEN = 16
_CLIP_TOKENS = (32 // 8) ** 2 + 1


def _image_components() -> dict[str, Any]:
    """The CLIP image encoder and its processor: the same in both image-to-video models."""
    import torch
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    torch.manual_seed(0)
    image_encoder = CLIPVisionModel(
        CLIPVisionConfig(
            hidden_size=_CLIP_HIDDEN, intermediate_size=16, num_hidden_layers=2,
            num_attention_heads=2, image_size=32, patch_size=8, projection_dim=16,
        )
    )  # fmt: skip
    return {
        "image_encoder": image_encoder,
        "image_processor": CLIPImageProcessor(crop_size=32, size={"shortest_edge": 32}),
    }


def build_tiny_wan_i2v(path: str | Path) -> Path:
    """Build and save the tiny image-to-video pipeline (one start image) into ``path``.

    A CLIP image encoder (hidden size 16) conditions the transformer, whose input is 36
    channels: 16 noise + 4 mask + 16 latents of the start image. It takes ``image=`` only;
    a start + end image (``last_image=``) needs a model made for it (build_tiny_wan_flf2v)."""
    from diffusers import WanImageToVideoPipeline

    pipeline = WanImageToVideoPipeline(
        **_shared_components(),
        transformer=_tiny_transformer(in_channels=36, image_dim=_CLIP_HIDDEN),
        transformer_2=None,
        **_image_components(),
    )
    return _save(pipeline, path)


def build_tiny_wan_flf2v(path: str | Path) -> Path:
    """Build and save the tiny first-and-last-frame pipeline (a start and an end image).

    The same pipeline class, components and 36 input channels as build_tiny_wan_i2v (the
    mask marks the first and the last frame as given), but the transformer's image
    embedder has a position embedding over the CLIP tokens of *two* images
    (``pos_embed_seq_len`` = 2 x 17; Wan2.1-FLF2V-14B-720P: 2 x 257 = 514). It takes
    ``image=`` with ``last_image=`` only: one image alone does not fit that embedding."""
    from diffusers import WanImageToVideoPipeline

    pipeline = WanImageToVideoPipeline(
        **_shared_components(),
        transformer=_tiny_transformer(
            in_channels=36, image_dim=_CLIP_HIDDEN, pos_embed_seq_len=2 * _CLIP_TOKENS
        ),
        transformer_2=None,
        **_image_components(),
    )
    return _save(pipeline, path)
