#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the main job: build Kolibri, pick the model
# (--model, else a generated test model: random weights in the shape of Qwen2.5-0.5B, q4_k_m,
# real Qwen2 tokenizer — its text is noise by design), train the example worker's tier-0
# routers, run the support-mail worker (examples/support-mail) over the example inbox, and
# evaluate it against the gold labels: a summary table, the results JSONL and the HTML report.
# Usage: scripts/demo.sh [--model PATH.gguf] [--mails N (default 12; 0 = all 89)] [--no-apt]
set -euo pipefail
cd "$(dirname "$0")/.."

model="" mails=12 boot_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="${2:?--model needs a path}"; shift ;;
    --mails) mails="${2:?--mails needs a count}"; shift ;;
    --no-apt) boot_args+=(--no-apt) ;;
    *) echo "demo.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

scripts/bootstrap.sh "${boot_args[@]}"
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
kolibri=build/release/bin/kolibri
llama_dir=$(scripts/bootstrap.sh --no-apt --print-dir)

"$kolibri" version
if [[ -z "$model" ]]; then
  model=build/release/models/qwen2.5-0.5b-q4_k_m.gguf
  if [[ ! -f "$model" ]]; then
    mkdir -p "$(dirname "$model")"
    "$kolibri" make-test-model --shape qwen2.5-0.5b --type q4_k_m \
      --vocab "$llama_dir/src/models/ggml-vocab-qwen2.gguf" --out "$model"
  fi
  echo "NOTE: $model has random weights: its output is noise by design."
fi
"$kolibri" info "$model"
echo

# The main job: the support-mail worker over the example inbox (a fresh state each demo).
worker=examples/support-mail/worker.yaml
out=build/release/demo
rm -rf "$out" && mkdir -p "$out"
limit=() eval_limit=()
[[ "$mails" != 0 ]] && limit=(--limit "$mails") eval_limit=(--limit "$mails")
echo "== training the worker's tier-0 routers (examples/support-mail/gold.jsonl)"
"$kolibri" train-router --worker "$worker"
echo
echo "== kolibri run: ${mails/#0/all} mails of examples/support-mail/inbox with $model"
run_status=0
"$kolibri" run "$worker" --input examples/support-mail/inbox --model "$model" --skip-tier upstream \
  --parallel 4 --out "$out/results.jsonl" --state "$out/state.sqlite" --review-db "$out/review.sqlite" \
  "${limit[@]}" || run_status=$?
# 4: some mails could not be processed (listed above); the rest has results.
[[ $run_status -eq 0 || $run_status -eq 4 ]] || exit "$run_status"
echo
echo "== kolibri eval: the same mails against the gold labels"
"$kolibri" eval "$worker" --data examples/support-mail/gold.jsonl --model "$model" --skip-tier upstream \
  --html "$out/report.html" --json-out "$out/report.json" "${eval_limit[@]}"
echo
echo "results:      $out/results.jsonl (one record per mail)"
echo "review queue: $out/review.sqlite  (kolibri review list --db $out/review.sqlite)"
echo "report:       $out/report.html, $out/report.json"
[[ "$model" == build/release/models/* ]] && echo "NOTE: the model has random weights: labels and fields are noise (but valid)."
exit 0
