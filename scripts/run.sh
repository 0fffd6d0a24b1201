#!/usr/bin/env bash
# Builds cairn (Release, unity batches, only the `cairn` target, in build-release/) and the web
# console's front end (console/dist), and starts a server.
#   ./scripts/run.sh                         4 drives under ./data, credentials cairnadmin/cairnadmin
#   ./scripts/run.sh --address :9000 /mnt/disk{1...8}   any `cairn server` flags and drives
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/install-deps.sh"

JOBS="$(nproc 2>/dev/null || echo 2)"
BUILD="$ROOT/build-release"
build_start=$(date +%s)
# Unity batches: a third less compile time than file by file; the tests are not built here.
cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCAIRN_UNITY=ON \
  -DCAIRN_SANITIZE=OFF -DCAIRN_TESTS=OFF -DCAIRN_BENCH=OFF >/dev/null
ninja -C "$BUILD" -j"$JOBS" cairn
echo "cairn: built $BUILD/cairn in $(($(date +%s) - build_start)) s"
# The web console's front end (console/dist, npm packages as the lockfile pins them).
if ! bash "$ROOT/scripts/build-console.sh"; then
  echo "cairn: WARNING: the console's front end did not build; the console port serves the" \
    "admin API and a page that says so" >&2
fi

# The same order cairn uses (src/common/environment.h): flags, then the first pair of
# CAIRN_ROOT_USER/_PASSWORD, MINIO_ROOT_USER/_PASSWORD, MINIO_ACCESS_KEY/MINIO_SECRET_KEY (a
# password may be in the file its _FILE variable names), then the defaults.
access_key=cairnadmin
secret_key=cairnadmin
for pair in "CAIRN_ROOT_USER CAIRN_ROOT_PASSWORD" "MINIO_ROOT_USER MINIO_ROOT_PASSWORD" \
  "MINIO_ACCESS_KEY MINIO_SECRET_KEY"; do
  read -r user_var password_var <<<"$pair"
  file_var="${password_var}_FILE"
  if [[ -n "${!user_var:-}" ]]; then
    access_key="${!user_var}"
    if [[ -n "${!password_var:-}" ]]; then
      secret_key="${!password_var}"
    else
      secret_key="(in ${!file_var:-?})"
    fi
    break
  fi
done
address=":9000"
console=":9001"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --access-key) access_key="${args[$((i + 1))]:-}" ;;
    --access-key=*) access_key="${args[$i]#*=}" ;;
    --secret-key) secret_key="${args[$((i + 1))]:-}" ;;
    --secret-key=*) secret_key="${args[$i]#*=}" ;;
    --secret-key-file) secret_key="(in ${args[$((i + 1))]:-})" ;;
    --secret-key-file=*) secret_key="(in ${args[$i]#*=})" ;;
    --address) address="${args[$((i + 1))]:-}" ;;
    --address=*) address="${args[$i]#*=}" ;;
    --console-address) console="${args[$((i + 1))]:-}" ;;
    --console-address=*) console="${args[$i]#*=}" ;;
  esac
done
host_of() { local h="${1%:*}"; [[ -z "$h" || "$h" == "0.0.0.0" ]] && h="127.0.0.1"; echo "$h:${1##*:}"; }
echo "cairn: S3 API     http://$(host_of "$address")"
echo "cairn: console    http://$(host_of "$console")"
echo "cairn: access key $access_key"
echo "cairn: secret key $secret_key"
if [[ $# -eq 0 ]]; then
  echo "cairn: drives ./data/disk{1...4} (created on first start)"
fi
if [[ "$access_key" == cairnadmin && "$secret_key" == cairnadmin ]]; then
  echo "cairn: listening on 127.0.0.1 only (the default credentials are in use)"
fi

exec "$BUILD/cairn" server "$@"
