#!/usr/bin/env bash
# The test command (README, and what .ci/run calls). Installs what the build needs if it is
# missing, makes sure PostgreSQL is reachable, then runs every test suite on SQLite and
# PostgreSQL, and prints the router's accuracy on the development set.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
# chromium + chromium-driver: the browser tests of the citizen pages (tests/api/browser.rs);
# poppler-utils: pdftotext and pdftoppm for the printed documents (tests/api/documents.rs).
for p in libpq-dev pkg-config openssl curl chromium chromium-driver poppler-utils; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "installing: ${need_pkgs[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_pkgs[@]}"
fi

# The SMTP integration tests talk to a real SMTP server on loopback (scripts/smtp_sink.py).
if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
  echo "installing aiosmtpd (SMTP sink for the e-mail tests)"
  python3 -m pip install -q aiosmtpd
fi

# The API fuzzing (scripts/schemathesis.sh) and the OpenAPI validity test (tests/api/openapi.rs)
# use two PyPI tools, pinned so that CI runs are repeatable.
if ! python3 -c "import schemathesis, openapi_spec_validator" >/dev/null 2>&1 ||
  ! command -v schemathesis >/dev/null 2>&1; then
  echo "installing schemathesis and openapi-spec-validator"
  python3 -m pip install -q 'schemathesis==4.32.5' 'openapi-spec-validator==0.9.0'
fi

# The accessibility check of the browser tests (tests/api/browser.rs) injects axe-core, pinned,
# from npm into the pages; it lives under target/ (never committed).
if [ ! -f target/axe/node_modules/axe-core/axe.min.js ]; then
  echo "installing axe-core (accessibility checker of the browser tests)"
  mkdir -p target/axe && npm install --silent --no-audit --no-fund --prefix target/axe axe-core@4.14.1
fi

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  # A local cluster that is installed but stopped: start it (CI machines run one).
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    sleep 2
  fi
fi

cargo test --locked "$@"

# Property-based fuzzing of every operation on both backends (bounded and seeded for CI; see
# docs/operations.md for the longer run before a release). SKIP_SCHEMATHESIS=1 skips it locally.
if [ "${SKIP_SCHEMATHESIS:-0}" != 1 ]; then
  cargo build --locked --quiet
  scripts/schemathesis.sh sqlite
  scripts/schemathesis.sh postgres
fi

echo
echo "== router accuracy on the development set (tests/fixtures/complaints-dev.jsonl)"
cargo run --locked --quiet -- routing evaluate tests/fixtures/complaints-dev.jsonl

echo
echo "== router accuracy on the independent hold-out set (tests/fixtures/complaints-holdout.jsonl)"
cargo run --locked --quiet -- routing evaluate tests/fixtures/complaints-holdout.jsonl
