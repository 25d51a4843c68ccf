#!/usr/bin/env bash
# The project's one test command: formatting, lints, the whole test suite.
# What it expects of the machine: a Rust toolchain (cargo, rustc), PostgreSQL's server and client
# programs (it starts the local cluster on 127.0.0.1:5432 if it is down and creates the `test`
# database if it is missing; it connects as the `postgres` role with trust authentication) and
# network access to the package registries. It installs what else the tests need: the tansu broker
# (a Kafka-compatible broker the Kafka tests start on free ports; `cargo install`, about 10 minutes
# on 2 idle cores, 20 on busy ones, once per machine) and Chromium with chromedriver for the
# auditor-page browser test (Debian packages; the test is skipped with a warning when they cannot
# be installed).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== PostgreSQL for the audit-store tests (127.0.0.1:5432)"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1; }
psql -h 127.0.0.1 -U postgres -d postgres -qAt -c "SELECT 1" >/dev/null || {
  echo "PostgreSQL at 127.0.0.1:5432 must accept the role postgres without a password (trust)" >&2; exit 1; }
if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = 'test'")" != "1" ]; then
  echo "creating the database test"
  psql -h 127.0.0.1 -U postgres -d postgres -q -c "CREATE DATABASE test"
fi
# Each test creates its own schema t_<uuid> in database `test`; drop those of earlier runs.
psql -h 127.0.0.1 -U postgres -d test -qAt -c \
  "SELECT format('DROP SCHEMA %I CASCADE;', nspname) FROM pg_namespace WHERE nspname ~ '^t_[0-9a-f]{32}$'" \
  | PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -d test -q >/dev/null

echo "== tansu, the Kafka-compatible broker the Kafka tests start (installed once per machine)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! tansu --version >/dev/null 2>&1; then
  echo "installing tansu 0.6.0 (about 10 minutes on 2 idle cores, 20 on busy ones)"
  cargo install tansu --version 0.6.0 --locked --features dynostore,postgres
fi
tansu --version
export TANSU_BIN="$(command -v tansu)"

echo "== Chromium + chromedriver for the auditor-page browser test (Debian packages)"
if ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }; then
    export ESCALATION_MASKER_NO_CHROMIUM="apt-get install chromium chromium-driver failed"
    echo "warning: $ESCALATION_MASKER_NO_CHROMIUM; the browser test will be skipped" >&2
  fi
fi
[ -x /usr/bin/chromium ] && /usr/bin/chromium --version 2>/dev/null || true

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (all targets, warnings are errors)"
cargo clippy --all-targets --locked -- -D warnings

echo "== rules check / rules test on the shipped rules"
cargo run --quiet --locked -- rules check masking-rules
cargo run --quiet --locked -- rules test masking-rules

echo "== cargo test"
# --no-fail-fast: one failing test binary must not hide the others' results.
status=0
cargo test --locked --no-fail-fast --all-targets || status=$?
# Doc tests are not part of --all-targets.
cargo test --locked --doc || status=$?
exit "$status"
