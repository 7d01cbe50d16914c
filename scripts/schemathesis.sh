#!/usr/bin/env bash
# Property-based API fuzzing with schemathesis against the real binary, on one backend.
#
#   scripts/schemathesis.sh sqlite|postgres [MAX_EXAMPLES] [SEED]
#
# Starts `hotline serve` on a free loopback port with a fresh SQLite file or a fresh PostgreSQL
# database, creates an administrator and a coordinator, and runs schemathesis over every
# operation of /openapi.json twice (once as each), with the checks not_a_server_error,
# status_code_conformance, content_type_conformance and response_schema_conformance. A fixed
# seed and a bounded number of examples per operation keep it short for CI (scripts/test.sh
# runs it with 25); before a release run it longer, e.g. `scripts/schemathesis.sh sqlite 1000`.
# Exits non-zero on any failure. Reports go to target/schemathesis/<backend>-<role>/.
set -euo pipefail
cd "$(dirname "$0")/.."

backend="${1:?usage: scripts/schemathesis.sh sqlite|postgres [MAX_EXAMPLES] [SEED]}"
max_examples="${2:-25}"
seed="${3:-20261128}"
bin="${HOTLINE_BIN:-${CARGO_TARGET_DIR:-target}/debug/hotline}"

if ! command -v schemathesis >/dev/null 2>&1; then
  echo "installing schemathesis"
  python3 -m pip install -q 'schemathesis==4.32.5'
fi
[ -x "$bin" ] || cargo build --locked --quiet

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export APP_ENV=local APP_DATA_DIR="$work/data" APP_SERVER__BIND="127.0.0.1:$port" APP_LOG__LEVEL=warn
export APP_EMAIL__FILE_DIR=mail APP_EMAIL__PUBLIC_BASE_URL="http://127.0.0.1:$port"
pg_admin="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
pg_db=""
case "$backend" in
  sqlite) export APP_DATABASE__URL="sqlite://$work/data/hotline.db" ;;
  postgres)
    pg_db="hotline_st_$$_$RANDOM"
    psql -q "$pg_admin" -c "CREATE DATABASE $pg_db"
    export APP_DATABASE__URL="${pg_admin%/*}/$pg_db"
    ;;
  *) echo "unknown backend $backend" >&2; exit 2 ;;
esac

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" migrate >/dev/null
echo 'schemathesis-Admin-2026!' | "$bin" admin create-user --username st_admin --role admin --password-stdin >/dev/null
echo 'schemathesis-Coord-2026!' | "$bin" admin create-user --username st_coord --role coordinator --agency SCT --password-stdin >/dev/null
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

login() {
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "http://127.0.0.1:$port/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

status=0
for who in admin coord; do
  case "$who" in
    admin) token="$(login st_admin 'schemathesis-Admin-2026!')" ;;
    coord) token="$(login st_coord 'schemathesis-Coord-2026!')" ;;
  esac
  out="target/schemathesis/$backend-$who"
  mkdir -p "$out"
  echo "== schemathesis on $backend as $who: $max_examples examples per operation, seed $seed"
  # /auth/logout would end the token the run uses: it is exercised by tests/api/auth.rs.
  if ! schemathesis run "http://127.0.0.1:$port/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --header "Authorization: Bearer $token" \
    --exclude-path /api/v1/auth/logout \
    --max-examples "$max_examples" --seed "$seed" --workers 2 \
    --generation-database none --request-timeout 30 --no-color \
    --suppress-health-check all \
    --report junit --report-dir "$out" >"$out/output.txt" 2>&1; then
    status=1
  fi
  tail -n 40 "$out/output.txt"
done
if grep -E 'panic|internal error' "$work/server.log" >/dev/null; then
  echo "the server logged internal errors:"; grep -E 'panic|internal error' "$work/server.log" | head -20
  status=1
fi
exit $status
