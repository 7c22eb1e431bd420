#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the main job.
# For now the main job is: build Kolibri, make a test model (random weights in the shape of
# Qwen2.5-0.5B, q4_k_m, with the real Qwen2 tokenizer), describe it and generate from it.
# A generated model's text is noise by design; bring a real GGUF with --model to see words.
# Usage: scripts/demo.sh [--model PATH.gguf] [--no-apt]
set -euo pipefail
cd "$(dirname "$0")/.."

model="" boot_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="${2:?--model needs a path}"; shift ;;
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
"$kolibri" generate --model "$model" --chat --prompt "Route this mail: my invoice is wrong." \
  --max-tokens 48 --seed 1
