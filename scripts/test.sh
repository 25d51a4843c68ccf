#!/usr/bin/env bash
# The project's one test command: formatting, lints, the whole test suite.
# Later capabilities extend this script to install and start what their integration tests need,
# so a fresh machine needs nothing but this script.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (all targets, warnings are errors)"
cargo clippy --all-targets --locked -- -D warnings

echo "== rules check / rules test on the shipped rules"
cargo run --quiet --locked -- rules check masking-rules
cargo run --quiet --locked -- rules test masking-rules

echo "== cargo test"
cargo test --locked --all-targets
# Doc tests are not part of --all-targets.
cargo test --locked --doc
