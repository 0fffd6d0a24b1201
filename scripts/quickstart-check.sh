#!/usr/bin/env bash
# Proves the README's first command: runs ./scripts/run.sh as a new user would (it installs,
# builds the Release binary and starts a server), waits for /minio/health/ready, then makes a
# bucket, uploads, lists and downloads with the AWS CLI using the credentials run.sh printed,
# and stops the server it started (by its pid). Prints how long the clone took to serve.
#
# With CI=true, or when ./data does not exist and ports 9000/9001 are free, it runs exactly
# `./scripts/run.sh` (no arguments) in the repository; otherwise it passes a temporary drive
# folder and free ports, so a developer's own server and data are left alone.
# Exit status: 0 when every step worked. Logs: build/test-logs/quickstart*.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOGS="$ROOT/build/test-logs"
mkdir -p "$LOGS"
LOG="$LOGS/quickstart.log"
WORK="$(mktemp -d /tmp/cairn-quickstart.XXXXXX)"
TIMEOUT="${CAIRN_QUICKSTART_TIMEOUT:-2700}"  # seconds for the build and the start together

port_free() { ! (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

args=()
exact=0
if [[ "${CI:-}" == true ]] || { [[ ! -e data ]] && port_free 9000 && port_free 9001; }; then
  exact=1
  [[ -e data ]] && made_data=0 || made_data=1
  endpoint="http://127.0.0.1:9000"
  echo "quickstart: ./scripts/run.sh, exactly as the README says"
else
  made_data=0
  args=(--address 127.0.0.1:0 --console-address 127.0.0.1:0 --address-file "$WORK/address"
    "$WORK/disk{1...4}")
  endpoint=""
  echo "quickstart: ./scripts/run.sh with a temporary drive folder and free ports" \
    "(./data exists or port 9000/9001 is taken)"
fi

start=$(date +%s)
# Its own session, so that a build that hangs can be stopped with everything it started.
setsid bash scripts/run.sh "${args[@]}" >"$LOG" 2>&1 </dev/null &
pid=$!

fail() {
  echo "quickstart: FAILED: $*"
  echo "---- last lines of $LOG"
  tail -n 40 "$LOG"
  stop
  exit 1
}

stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 200); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null
  [[ $exact == 1 && $made_data == 1 ]] && rm -rf "$ROOT/data"
  rm -rf "$WORK"
}

# Wait for the build, the start and readiness.
ready=0
while (($(date +%s) - start < TIMEOUT)); do
  kill -0 "$pid" 2>/dev/null || fail "scripts/run.sh exited before the server was ready"
  if [[ -z "$endpoint" && -s "$WORK/address" ]]; then
    addr="$(sed -n 's/^s3=//p' "$WORK/address")"
    [[ -n "$addr" ]] && endpoint="http://$addr"
  fi
  if [[ -n "$endpoint" ]] &&
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$endpoint/minio/health/ready")" == 200 ]]; then
    ready=1
    break
  fi
  sleep 1
done
[[ $ready == 1 ]] || fail "not ready within $TIMEOUT s"
serving=$(($(date +%s) - start))
build_line="$(grep -m1 '^cairn: built ' "$LOG")"
echo "quickstart: ${build_line#cairn: }; serving at $endpoint $serving s after run.sh started"

# The credentials come from what run.sh printed, as a user would read them.
access_key="$(sed -n 's/^cairn: access key //p' "$LOG" | head -1)"
secret_key="$(sed -n 's/^cairn: secret key //p' "$LOG" | head -1)"
[[ -n "$access_key" && -n "$secret_key" ]] || fail "run.sh printed no credentials"

export AWS_ACCESS_KEY_ID="$access_key" AWS_SECRET_ACCESS_KEY="$secret_key"
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
aws_s3() { aws --endpoint-url "$endpoint" s3 "$@" >>"$LOGS/quickstart-client.log" 2>&1; }

bucket="quickstart-$(date +%s)"
head -c 3000000 /dev/urandom >"$WORK/object.bin"
aws_s3 mb "s3://$bucket" || fail "aws s3 mb"
aws_s3 cp "$WORK/object.bin" "s3://$bucket/dir/object.bin" || fail "aws s3 cp (upload)"
listing="$(aws --endpoint-url "$endpoint" s3 ls --recursive "s3://$bucket" 2>&1)"
grep -q ' 3000000 dir/object.bin$' <<<"$listing" || fail "aws s3 ls shows no object: $listing"
aws_s3 cp "s3://$bucket/dir/object.bin" "$WORK/back.bin" || fail "aws s3 cp (download)"
cmp -s "$WORK/object.bin" "$WORK/back.bin" || fail "the object read back differs"
aws_s3 rb --force "s3://$bucket" || fail "aws s3 rb --force"

# The web console: its built front end, and a sign-in with the printed credentials.
if [[ $exact == 1 ]]; then
  console="http://127.0.0.1:9001"
else
  console="http://$(sed -n 's/^console=//p' "$WORK/address")"
fi
page="$(curl -s --max-time 5 "$console/")"
grep -q '<div id="app">' <<<"$page" && grep -q '/assets/' <<<"$page" ||
  fail "the console at $console serves no built front end: ${page:0:200}"
login="$(curl -s --max-time 5 -H 'Content-Type: application/json' \
  -d "{\"accessKey\":\"$access_key\",\"secretKey\":\"$secret_key\"}" "$console/api/v1/login")"
grep -q '"csrf"' <<<"$login" || fail "signing in to the console failed: $login"

stop
echo "quickstart: OK (PUT, listing and GET with the AWS CLI; the console's page and sign-in;" \
  "served $serving s after the start)"
