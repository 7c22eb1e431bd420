#!/usr/bin/env bash
# Support-mail worker throughput: `kolibri run` on the example inbox against the same model
# steps sent to llama-server one request per step (same prompts, same max_tokens, a
# json_schema response format per step), on the same generated model (qwen2.5-0.5b shape,
# q4_k_m, random weights), threads, context per sequence and parallelism. Both sides run
# only the small-model tier: routers and the upstream are left out of `kolibri run`
# (--skip-tier), so every model step is the model's work on both sides; kolibri still
# writes its review queue, state database and results.
#
#   bench/worker/run.sh [--mails N] [--parallel N] [--threads N] [--ctx N] [--out DIR]
#
# Writes DIR/worker.json (DIR defaults to bench/results): mails per minute for both and the
# ratio. --mails N uses the first N mails of examples/support-mail/inbox (default: all).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/results"
mails=0
parallel=4
threads=2
ctx=4096
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift ;;
    --mails) mails="$2"; shift ;;
    --parallel) parallel="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --ctx) ctx="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
build="$root/build/release"
entry="$("$root/scripts/bootstrap.sh" --no-apt --with-server --print-dir)"
llama_server="$entry/build/bin/llama-server"
[ -x "$llama_server" ] || { echo "llama-server missing at $llama_server" >&2; exit 1; }
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}"
[ -d "$build" ] || (cd "$root" && cmake --preset release >/dev/null)
cmake --build "$build" -j2 --target kolibri kolibri_worker_bench >/dev/null
kolibri="$build/bin/kolibri"
client="$build/bin/kolibri_worker_bench"
model="$build/testdata/qwen2.5-0.5b-q4_k_m-qwen2.gguf"
if [ ! -f "$model" ]; then
  echo "== generating $model" >&2
  mkdir -p "$(dirname "$model")"
  "$kolibri" make-test-model --shape qwen2.5-0.5b --type q4_k_m \
    --vocab "$entry/src/models/ggml-vocab-qwen2.gguf" --out "$model" >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/kolibri-worker-bench.XXXXXX")"
mkdir -p "$work/inbox"
worker="$root/examples/support-mail/worker.yaml"
files=$(ls "$root/examples/support-mail/inbox/"*.eml)
[ "$mails" -gt 0 ] && files=$(echo "$files" | head -n "$mails")
cp $files "$work/inbox/"
count=$(ls "$work/inbox" | wc -l)
echo "== $count mails, parallel $parallel, threads $threads, ctx $ctx per sequence; work in $work" >&2

pid=""
stop_server() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== kolibri run" >&2
"$kolibri" run "$worker" --input "$work/inbox" --out "$work/results.jsonl" --state "$work/state.sqlite" \
  --review-db "$work/review.sqlite" --model "$model" --skip-tier router --skip-tier upstream \
  --parallel "$parallel" --threads "$threads" --ctx "$ctx" --json >"$work/kolibri.json" 2>"$work/kolibri.log"

port=$((20000 + RANDOM % 20000))
echo "== llama-server on 127.0.0.1:$port" >&2
"$llama_server" -m "$model" -c $((ctx * parallel)) -np "$parallel" -t "$threads" --host 127.0.0.1 --port "$port" \
  >"$work/llama-server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
config=$(printf '{"model":"qwen2.5-0.5b q4_k_m (generated, random weights)","threads":%d,"ctx_per_sequence":%d,"parallel":%d,"load_before":"%s","cpu":"%s","cores":%d,"llama_cpp":"%s","shared_machine":true}' \
  "$threads" "$ctx" "$parallel" "$load_before" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/"//g')" "$(nproc)" "$(basename "$entry")")
"$client" --worker "$worker" --input "$work/inbox" --port "$port" --parallel "$parallel" \
  --kolibri-summary "$work/kolibri.json" --config-json "$config" --out "$out/worker.json"
stop_server
echo "== results: $out/worker.json (logs in $work)" >&2
