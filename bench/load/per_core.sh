#!/usr/bin/env bash
# Requests per second per web core: locust at full pace against a stack started by
# run_stack.py, with gunicorn's CPU seconds counted before and after.
#   LOAD_PACE=max .venv/bin/python bench/load/run_stack.py --artists 200 -- bench/load/per_core.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
before=$(.venv/bin/python bench/load/cpu_seconds.py gunicorn)
start=$(date +%s.%N)
.venv/bin/locust -f bench/load/locustfile.py --headless -u "${LOAD_USERS:-200}" -r 50 \
    -t "${LOAD_SECONDS:-60}s" --only-summary
end=$(date +%s.%N)
after=$(.venv/bin/python bench/load/cpu_seconds.py gunicorn)
.venv/bin/python - "$before" "$after" "$start" "$end" <<'PY'
import sys
before, after, start, end = map(float, sys.argv[1:])
print(f"gunicorn used {after - before:.1f} CPU-seconds in {end - start:.1f} s "
      f"= {(after - before) / (end - start):.2f} cores")
PY
