#!/usr/bin/env bash
# Installs the system programs the test suite starts or drives, when they are missing:
# PostgreSQL, Redis, ffmpeg, Chromium (+ driver), nginx (the production smoke test), Node
# and npm (axe-core, the accessibility test), GNU gettext (the translation checks); with
# --demo only ffmpeg. Uses apt-get when running as root;
# otherwise says exactly what to install.
set -euo pipefail

# --demo: only what `make demo` needs (ffmpeg encodes the videos).
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
if [[ ${1:-} != --demo ]]; then
  have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; }
  have_postgres || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v chromium >/dev/null || missing+=(chromium chromium-driver)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  # Node and npm install axe-core for the accessibility test (Makefile: npm ci).
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  # GNU gettext: makemessages in tests/test_translations.py (the demo needs none: the
  # compiled catalogues are committed).
  command -v xgettext >/dev/null || missing+=(gettext)
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}) and run make test again." >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start their own servers; the tests start throwaway ones instead.
if command -v service >/dev/null; then
  service redis-server stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
  service nginx stop >/dev/null 2>&1 || true
fi
