#!/usr/bin/env bash
# Side-by-side serving benchmark: llama-server (default KV mode and --kv-unified) and
# `kolibri serve` on the same generated model (qwen2.5-0.5b shape, q4_k_m), same threads,
# --ctx and --parallel, driven by the same client (kolibri_serve_bench).
#
#   bench/serve/run.sh [--out DIR] [--threads N] [--ctx N] [--parallel N] [--quick]
#                      [--servers "llama llama-unified kolibri"] [--timeout SECONDS_PER_SERVER]
#                      [--sizes "CLIENT OPTIONS"] [--memory-requests N] [--rounds N]
#
# --sizes replaces the default workload sizes, e.g. "--mixed-requests 20 --triage-requests 16"
# (on a loaded machine); do not combine it with --quick. --rounds N runs every server N
# times, interleaved (the order rotates each round, so drift in the machine's load hits all
# servers alike), and reports each figure as the median over the rounds.
#
# llama / llama-unified are llama-server built from the same cache entry Kolibri links
# (the pinned llama.cpp with Kolibri's patches, patches/llama.cpp/), so the comparison is
# between servers on one kernel set; llama-stock / llama-stock-unified are llama-server
# from the pinned commit without the patches (scripts/bootstrap.sh --stock).
#
# Writes DIR/serve.json (all figures) and DIR/serve.md (tables); DIR defaults to
# bench/results. --quick runs small counts (a smoke test of the harness). Workloads (b)
# and (c) need the shared bench data ($KOLIBRI_BENCH_DATA, else $KOLIBRI_SHARED_DIR/bench,
# else <repo>/../shared/bench) and are skipped without it. Servers get free ports, run one at
# a time, and are stopped on exit or interrupt.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/results"
threads=2
ctx=8192
parallel=4
quick=0
servers="llama llama-unified kolibri"
client_timeout=1800  # seconds per server, so a hung server cannot stall the run
sizes=""            # client options replacing the default workload sizes (see kolibri_serve_bench --help)
memory_requests=500
rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --ctx) ctx="$2"; shift ;;
    --parallel) parallel="$2"; shift ;;
    --quick) quick=1 ;;
    --servers) servers="$2"; shift ;;
    --timeout) client_timeout="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    --memory-requests) memory_requests="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
build="$root/build/release"
data="${KOLIBRI_BENCH_DATA:-${KOLIBRI_SHARED_DIR:-$root/../shared}/bench}"

echo "== building kolibri, the benchmark client and llama-server (pinned llama.cpp)" >&2
entry="$("$root/scripts/bootstrap.sh" --no-apt --with-server --print-dir)"
llama_server="$entry/build/bin/llama-server"
[ -x "$llama_server" ] || { echo "llama-server missing at $llama_server" >&2; exit 1; }
llama_server_stock=""
case " $servers " in
  *" llama-stock"*)
    stock_entry="$("$root/scripts/bootstrap.sh" --no-apt --with-server --stock --print-dir)"
    llama_server_stock="$stock_entry/build/bin/llama-server"
    [ -x "$llama_server_stock" ] || { echo "llama-server missing at $llama_server_stock" >&2; exit 1; } ;;
esac
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}"
[ -d "$build" ] || (cd "$root" && cmake --preset release >/dev/null)
cmake --build "$build" -j2 --target kolibri kolibri_serve_bench >/dev/null
kolibri="$build/bin/kolibri"
client="$build/bin/kolibri_serve_bench"

model="$build/testdata/qwen2.5-0.5b-q4_k_m-qwen2.gguf"
if [ ! -f "$model" ]; then
  echo "== generating $model" >&2
  mkdir -p "$(dirname "$model")"
  "$kolibri" make-test-model --shape qwen2.5-0.5b --type q4_k_m \
    --vocab "$entry/src/models/ggml-vocab-qwen2.gguf" --out "$model" >/dev/null
fi

client_args=()
# shellcheck disable=SC2206
[ -n "$sizes" ] && client_args+=($sizes)
if [ "$quick" = 1 ]; then
  client_args+=(--plain-concurrency 1,4 --plain-tokens 16 --plain-requests-per-client 1 --plain-min-requests 1
                --mixed-requests 8 --triage-requests 4 --ttft-repeats 1)
  memory_requests=20
fi
if [ -f "$data/mixed_tasks60.jsonl" ] && [ -f "$data/triage48.jsonl" ]; then
  client_args+=(--mixed "$data/mixed_tasks60.jsonl" --triage "$data/triage48.jsonl")
else
  echo "== $data not found: skipping the mixed_tasks and triage workloads" >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/kolibri-serve-bench.XXXXXX")"
echo "== per-server logs and results in $work" >&2
pid=""
stop_server() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "no free port" >&2; exit 1
}

results=()
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
read -r -a server_list <<<"$servers"
for round in $(seq 1 "$rounds"); do
for i in "${!server_list[@]}"; do
  server="${server_list[$(( (i + round - 1) % ${#server_list[@]} ))]}"
  tag="$server"; [ "$rounds" -gt 1 ] && tag="$server.r$round"
  log="$work/$tag.log"
  port="$(free_port)"
  case "$server" in
    llama) "$llama_server" -m "$model" -c "$ctx" -np "$parallel" -t "$threads" --host 127.0.0.1 --port "$port" \
             >"$log" 2>&1 & ;;
    llama-unified) "$llama_server" -m "$model" -c "$ctx" -np "$parallel" -t "$threads" --kv-unified \
             --host 127.0.0.1 --port "$port" >"$log" 2>&1 & ;;
    llama-stock) "$llama_server_stock" -m "$model" -c "$ctx" -np "$parallel" -t "$threads" --host 127.0.0.1 \
             --port "$port" >"$log" 2>&1 & ;;
    llama-stock-unified) "$llama_server_stock" -m "$model" -c "$ctx" -np "$parallel" -t "$threads" --kv-unified \
             --host 127.0.0.1 --port "$port" >"$log" 2>&1 & ;;
    kolibri) "$kolibri" serve --model "$model" --ctx "$ctx" --parallel "$parallel" --threads "$threads" \
             --host 127.0.0.1 --port "$port" >"$log" 2>&1 & ;;
    *) echo "unknown server $server" >&2; exit 2 ;;
  esac
  pid=$!
  echo "== round $round/$rounds: $server on 127.0.0.1:$port (pid $pid, log $log)" >&2
  extra=()
  # The memory scenario (RSS across many sequential requests) is a kolibri target.
  [ "$server" = kolibri ] && extra+=(--memory-requests "$memory_requests" --server-pid "$pid")
  rc=0
  timeout "$client_timeout" "$client" --name "$server" --port "$port" --out "$work/$tag.json" \
    "${client_args[@]}" "${extra[@]}" || rc=$?
  stop_server
  [ "$rc" = 0 ] || echo "== $server: some requests failed or the client stopped (exit $rc); see $log" >&2
  [ -f "$work/$tag.json" ] && results+=("$work/$tag.json")
done
done

[ "${#results[@]}" -gt 0 ] || { echo "== no server produced results" >&2; exit 1; }
config=$(printf '{"model":"qwen2.5-0.5b q4_k_m (generated, random weights)","threads":%d,"ctx":%d,"parallel":%d,"rounds":%d,"quick":%s,"load_before":"%s","load_after":"%s","cpu":"%s","cores":%d,"llama_cpp":"%s"}' \
  "$threads" "$ctx" "$parallel" "$rounds" "$([ "$quick" = 1 ] && echo true || echo false)" \
  "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/"//g')" "$(nproc)" "$(basename "$entry")")
"$client" --merge "${results[@]}" --config-json "$config" --out "$out/serve.json" --markdown "$out/serve.md"
cat "$out/serve.md"
echo "== results: $out/serve.json, $out/serve.md" >&2
