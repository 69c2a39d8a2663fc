#!/usr/bin/env bash
# Compares `upward solve` with the solvers a user could pick instead (lapjv, lap, SciPy,
# OR-Tools), all installed from PyPI into target/bench-venv, on the same generated instances.
# Usage: scripts/bench-peers.sh [FAMILY ...]   (see scripts/bench_peers.py for the families)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet numpy scipy lap ortools
  # lapjv ships only as source; it builds with the machine's C++ compiler.
  "$venv/bin/pip" install --quiet lapjv || echo "lapjv did not build; it is left out" >&2
fi
cargo build --release --quiet --bin upward
exec "$venv/bin/python" scripts/bench_peers.py "$@"
