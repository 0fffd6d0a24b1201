#!/usr/bin/env bash
# Installs every Debian package that building and testing cairn needs.
# Idempotent and quick: asks dpkg first and calls apt-get only when something is missing.
# Works as root; otherwise uses sudo when it is there.
set -euo pipefail

BUILD_PACKAGES=(
  cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev librocksdb-dev libisal-dev libhighwayhash-dev libpugixml-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev libgoogle-perftools-dev
  libxxhash-dev
  clang-format clang libclang-rt-14-dev
)
TEST_PACKAGES=(
  python3 python3-pytest python3-pytest-timeout python3-boto3 python3-requests
  python3-cryptography
  awscli rclone s3cmd openssl iproute2 procps curl strace
  # The console's browser tests: headless Chromium (driven by playwright-core from npm) and
  # fonts for its screenshots.
  chromium fonts-dejavu-core fonts-liberation
)
# The console's front end is built with Node.js and npm (scripts/build-console.sh). A machine
# that already has them (Node 18 or later) keeps its own; else Debian's packages.
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  TEST_PACKAGES+=(nodejs npm)
fi
PACKAGES=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}")

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != ii* ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root, and sudo is not there" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
echo "install-deps: done"
