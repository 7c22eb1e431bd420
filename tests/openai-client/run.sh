#!/usr/bin/env bash
# Runs client_test.mjs (the official `openai` npm package) against `kolibri serve` with
# the tiny test model. Installs the pinned package with `npm ci` into the build tree.
# Exit 77 (ctest SKIP) when node/npm are missing or the package cannot be installed.
# Env: KOLIBRI_BIN, KOLIBRI_TEST_DATA, KOLIBRI_LLAMA_SOURCE_DIR (set by ctest).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
skip() { echo "SKIP: $*"; exit 77; }

command -v node >/dev/null && command -v npm >/dev/null || skip "node/npm not installed"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || skip "node $node_major is older than 18"

data="${KOLIBRI_TEST_DATA:?}"
work="$data/openai-client"
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/client_test.mjs" "$work/"
if ! (cd "$work" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
  tail -5 "$work/npm.log" || true
  skip "cannot install the openai package (npm ci failed; offline?)"
fi

# The same file the C++ tests generate (testing::TestModelPath("tiny")), under the same lock.
model="$data/tiny-f16-qwen2.gguf"
(
  flock 9
  [ -f "$model" ] || "$KOLIBRI_BIN" make-test-model --shape tiny --type f16 \
    --vocab "${KOLIBRI_LLAMA_SOURCE_DIR:?}/models/ggml-vocab-qwen2.gguf" --out "$model" >/dev/null
) 9>"$model.lock"

log="$work/serve.log"
"$KOLIBRI_BIN" serve --model "$model" --ctx 1024 --parallel 2 --threads 2 --port 0 --alias tiny 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 300); do
  port=$(grep -oE 'on http://127\.0\.0\.1:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "kolibri serve exited"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$log"; echo "kolibri serve did not start"; exit 1; }

cd "$work"
KOLIBRI_URL="http://127.0.0.1:$port" timeout 240 node client_test.mjs
