#!/bin/bash
# bench/gpu/wan_full_size.py on a GPU machine that has PyTorch and transformers but no
# diffusers, ffmpeg or network (the lent device machines; docs/benchmarks.md, "GPU").
#
#   bash bench/gpu/device.sh prepare   # here, in the repository root: wheels + C2PA chain in .whl/
#   bash bench/gpu/device.sh run       # there, with .whl carried; writes to $OUT
#   BUDGET=400 BENCH_ARGS="--steps 3 --backlog 2 --backlog-steps 50" bash bench/gpu/device.sh run
set -o pipefail
case "$1" in
prepare)
  grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo /.whl/ >>.git/info/exclude
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
    -d .whl diffusers==0.42.1 c2pa-python==0.38.1 ffmpeg-python==0.2.0 future==1.0.0 \
    imageio-ffmpeg==0.6.0 || exit 1
  # The machine has no `cryptography`: make the development chain here.
  .venv/bin/python -c "
import shutil, sys, tempfile
from pathlib import Path
sys.path[:0] = ['.', 'platform']
from provenance.dev_certs import dev_chain_write
chain, _ = dev_chain_write(folder=Path(tempfile.mkdtemp()))
out = Path('.whl/c2pa'); out.mkdir(parents=True, exist_ok=True)
for src, name in ((chain.cert_chain, 'chain.pem'), (chain.private_key, 'signer.key'), (chain.root, 'root.pem')):
    shutil.copy(src, out / name)
" || exit 1
  du -sh .whl
  ;;
run)
  export PYTHONUNBUFFERED=1
  T0=$(date +%s)
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site \
    .whl/*.whl || exit 3
  export PYTHONPATH=/tmp/site
  if ! command -v ffmpeg >/dev/null; then # imageio-ffmpeg's static build (libx264 included)
    B=$(ls /tmp/site/imageio_ffmpeg/binaries/ffmpeg-*)
    chmod +x "$B" && mkdir -p /tmp/bin && ln -sf "$B" /tmp/bin/ffmpeg
    export PATH=/tmp/bin:$PATH
  fi
  { echo "setup took $(($(date +%s) - T0)) s"; which python3 ffmpeg ffprobe
    ffmpeg -hide_banner -version | head -1; nvidia-smi; df -h /tmp | tail -1; nproc; } 2>&1 |
    tee "$OUT/env.txt"
  python3 bench/gpu/wan_full_size.py --out "$OUT" --budget "${BUDGET:-420}" \
    --c2pa-chain .whl/c2pa --save-dir /tmp/wan-full $BENCH_ARGS 2>&1 | tee "$OUT/log.txt"
  echo "exit $? after $(($(date +%s) - T0)) s"
  ;;
*)
  echo "usage: $0 prepare|run" >&2
  exit 2
  ;;
esac
