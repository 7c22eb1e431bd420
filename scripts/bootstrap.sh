#!/usr/bin/env bash
# Sets up what Kolibri needs to build: Debian packages and a pinned llama.cpp build.
#
# Idempotent and safe to rerun (and to run concurrently: a lock guards the cache).
# llama.cpp is built once into a cache outside the work tree, keyed by commit, build
# options and CPU features, and reused by later builds and CI runs.
#
# Usage: scripts/bootstrap.sh [options]
#   --no-apt              do not install Debian packages
#   --llama-src DIR       build llama.cpp from this source checkout instead of the
#                         npm package node-llama-cpp@3.22.1 (must be the pinned commit)
#   --variant V           default | tsan (GGML_OPENMP=OFF, so TSan sees no OpenMP noise)
#   --backend B           cpu (default) | cuda | vulkan  (GPU backends: untested here)
#   --with-server         also build llama-server (for the side-by-side benchmarks)
#   --stock               build llama.cpp without Kolibri's patches (patches/llama.cpp/*.patch),
#                         e.g. to compare with an unpatched llama-server
#   --print-dir           print only the llama.cpp cache entry directory on stdout
#
# Kolibri's patches against the pinned commit (patches/llama.cpp/, each explained in its
# header) are applied to the cache entry's source; they are part of the cache key.
# Environment: KOLIBRI_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/kolibri).
set -euo pipefail

readonly LLAMA_COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6
readonly LLAMA_TAG=v0.5.0
readonly NPM_PACKAGE=node-llama-cpp@3.22.1
readonly APT_PACKAGES=(
  build-essential cmake ninja-build git pkg-config ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libsqlite3-dev
  libutf8proc-dev libcurl4-openssl-dev
  libgmime-3.0-dev libgumbo-dev libpoppler-cpp-dev
  json-schema-test-suite
  chromium
  libpq-dev postgresql haproxy
  dovecot-imapd openssl  # tests/imap: a private Dovecot on loopback, imaps with a self-signed cert
  prometheus  # promtool: request_gate_test checks the /metrics format
)

apt=1 llama_src="" variant=default backend=cpu with_server=0 print_dir=0 stock=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-apt) apt=0 ;;
    --llama-src) llama_src="${2:?--llama-src needs a directory}"; shift ;;
    --variant) variant="${2:?--variant needs a value}"; shift ;;
    --backend) backend="${2:?--backend needs a value}"; shift ;;
    --with-server) with_server=1 ;;
    --stock) stock=1 ;;
    --print-dir) print_dir=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$variant" in default|tsan) ;; *) echo "bootstrap: --variant must be default or tsan, got '$variant'" >&2; exit 2 ;; esac
case "$backend" in cpu|cuda|vulkan) ;; *) echo "bootstrap: --backend must be cpu, cuda or vulkan, got '$backend'" >&2; exit 2 ;; esac

log() { echo "bootstrap: $*" >&2; }

install_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  local apt_log; apt_log=$(mktemp)
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -20 "$apt_log" >&2; log "apt-get failed (full log: $apt_log)"; exit 1
  fi
  rm -f "$apt_log"
}

[[ $apt -eq 1 ]] && install_packages
# Node.js/npm come with the machine (Debian's npm conflicts with it); they fetch the
# pinned llama.cpp source and run the OpenAI-client tests.
command -v npm >/dev/null || [[ -n "$llama_src" ]] || { log "npm not found: install Node.js (>= 18) or pass --llama-src"; exit 1; }

cache_root="${KOLIBRI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kolibri}"
mkdir -p "$cache_root/llama.cpp"

cmake_opts=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON
  -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF
  -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF
)
# ggml's AMX matmul (compiled in by -march=native on Sapphire Rapids and later) segfaults
# at this commit on K-quant models (seen on qwen2.5-0.5b q4_k_m in ggml_backend_amx_mul_mat),
# so AMX is compiled out; the AVX-512/AVX2 kernels and CPU weight repacking stay on.
if [[ $(uname -m) == x86_64 ]]; then
  cmake_opts+=("-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
               "-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16")
fi
[[ $variant == tsan ]] && cmake_opts+=(-DGGML_OPENMP=OFF)
[[ $backend == cuda ]] && cmake_opts+=(-DGGML_CUDA=ON)
[[ $backend == vulkan ]] && cmake_opts+=(-DGGML_VULKAN=ON)

# -march=native objects differ per CPU, so the CPU's feature flags and the compiler are
# part of the key: a cache shared between machines never hands out foreign code.
cpu_flags=$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || uname -m)
compiler=$( (c++ --version 2>/dev/null || true) | head -1)
patch_dir="$(cd "$(dirname "$0")/.." && pwd)/patches/llama.cpp"
patches=()
if [[ $stock -eq 0 ]]; then
  for p in "$patch_dir"/*.patch; do [[ -f "$p" ]] && patches+=("$p"); done
fi
patch_sum=stock
[[ ${#patches[@]} -gt 0 ]] && patch_sum=$(cat "${patches[@]}" | sha256sum | cut -c1-16)
key=$(printf '%s\n%s\n%s\n%s\n%s\n' "$LLAMA_COMMIT" "${cmake_opts[*]}" "$cpu_flags" "$compiler" "$patch_sum" | sha256sum | cut -c1-16)
flavour=$variant; [[ $stock -eq 1 ]] && flavour="$variant-stock"
entry="$cache_root/llama.cpp/${LLAMA_COMMIT:0:12}-$flavour-$backend-$key"

exec 9>"$entry.lock"
flock 9

fetch_source() {
  local src="$entry/src" reuse=""
  # .source-ready is written once the pinned commit is checked out and patched.
  [[ -d "$src/.git" && -f "$entry/.source-ready" ]] && return 0
  rm -rf "$src" "$entry/.built-libs"
  if [[ -n "$llama_src" ]]; then
    [[ -d "$llama_src" ]] || { log "--llama-src '$llama_src' is not a directory"; exit 1; }
    local have
    have=$(git -C "$llama_src" rev-parse HEAD 2>/dev/null) || { log "--llama-src '$llama_src' is not a git checkout; cannot verify its commit"; exit 1; }
    if [[ "$have" != "$LLAMA_COMMIT" ]]; then
      log "refusing llama.cpp at $have: Kolibri is pinned to $LLAMA_TAG ($LLAMA_COMMIT)"; exit 1
    fi
    git -c advice.detachedHead=false clone -q "$llama_src" "$src" >&2
  elif reuse=$(for d in "$cache_root"/llama.cpp/*/src; do
                  [[ "$(git -C "$d" rev-parse HEAD 2>/dev/null)" == "$LLAMA_COMMIT" ]] && { echo "$d"; break; }
                done) && [[ -n "$reuse" ]]; then
    # Another cache entry (other options or variant) already holds the verified source.
    git -c advice.detachedHead=false clone -q "$reuse" "$src" >&2
  else
    local tmp; tmp=$(mktemp -d)
    log "fetching $NPM_PACKAGE (llama.cpp $LLAMA_TAG) from the npm registry"
    (cd "$tmp" && npm pack --silent "$NPM_PACKAGE" >/dev/null 2>&1) || { log "npm pack $NPM_PACKAGE failed"; rm -rf "$tmp"; exit 1; }
    tar -xzf "$tmp"/node-llama-cpp-*.tgz -C "$tmp" package/llama/gitRelease.bundle
    git clone -q "$tmp/package/llama/gitRelease.bundle" "$src" 2>/dev/null >&2
    rm -rf "$tmp"
  fi
  git -C "$src" -c advice.detachedHead=false checkout -q "$LLAMA_COMMIT" 2>/dev/null || true
  local got; got=$(git -C "$src" rev-parse HEAD)
  if [[ "$got" != "$LLAMA_COMMIT" ]]; then
    rm -rf "$src"; log "refusing llama.cpp source at $got: expected $LLAMA_COMMIT"; exit 1
  fi
  local p
  for p in "${patches[@]}"; do
    git -C "$src" apply "$p" >&2 || { rm -rf "$src"; log "patch $(basename "$p") does not apply to llama.cpp $LLAMA_COMMIT"; exit 1; }
    log "applied $(basename "$p")"
  done
  touch "$entry/.source-ready"
}

build_llama() {
  local stamp="$entry/.built-libs"
  if [[ ! -f "$stamp" ]]; then
    log "building llama.cpp $LLAMA_TAG ($variant, $backend) into $entry (a few minutes, once)"
    cmake -S "$entry/src" -B "$entry/build" -G Ninja "${cmake_opts[@]}" >"$entry/configure.log" 2>&1 \
      || { log "llama.cpp configure failed, see $entry/configure.log"; exit 1; }
    cmake --build "$entry/build" --target llama llama-common ggml llama-common-base >"$entry/build.log" 2>&1 \
      || { log "llama.cpp build failed, see $entry/build.log"; exit 1; }
    touch "$stamp"
  fi
  if [[ $with_server -eq 1 && ! -x "$entry/build/bin/llama-server" ]]; then
    log "building llama-server (for side-by-side benchmarks)"
    cmake --build "$entry/build" --target llama-server >>"$entry/build.log" 2>&1 \
      || { log "llama-server build failed, see $entry/build.log"; exit 1; }
  fi
}

fetch_source
build_llama
if [[ $print_dir -eq 1 ]]; then echo "$entry"; else log "llama.cpp ready: $entry"; fi
