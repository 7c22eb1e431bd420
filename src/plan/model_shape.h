// ModelShape: the hyper-parameters that decide a model's memory, read from a GGUF header
// the way llama.cpp (pinned commit de3ff815ea7d) reads them in llama-model.cpp and
// llama-hparams.cpp: per-layer head counts, key/value widths, which layers use a sliding
// window, which keep a recurrent state instead of a KV cache.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/gguf_file.h"
#include "kolibri/status.h"

namespace kolibri::plan {

enum class LayerKind { kAttention, kSlidingWindow, kRecurrent };

struct LayerShape {
  LayerKind kind = LayerKind::kAttention;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim_k = 0;
  int64_t head_dim_v = 0;
  int64_t n_ff = 0;
  int64_t EmbdK() const { return head_dim_k * n_head_kv; }  // n_embd_k_gqa
  int64_t EmbdV() const { return head_dim_v * n_head_kv; }  // n_embd_v_gqa
};

// How much the architecture is understood.
enum class ArchSupport {
  kKnown,     // memory layout modelled after llama.cpp's code for this architecture
  kGeneric,   // not in the planner's list: standard attention assumed from the header keys
};

struct ModelShape {
  std::string architecture;
  ArchSupport support = ArchSupport::kKnown;
  int64_t n_layer = 0;
  int64_t n_embd = 0;
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;
  int64_t n_swa = 0;            // sliding window (tokens), 0 when none
  std::vector<LayerShape> layers;
  // Recurrent state per sequence and layer, in floats (llama_hparams::n_embd_r/n_embd_s).
  int64_t recurrent_r = 0;
  int64_t recurrent_s = 0;
  bool tied_output = false;     // no output.weight: logits reuse token_embd
  uint64_t parameters = 0;

  bool HasSlidingWindow() const;
  bool HasRecurrent() const;
  bool HasAttention() const;
  int64_t MaxHeads() const;
};

// Reads the shape. Unsupported when general.architecture or the block count is missing;
// architectures outside the known list come back as kGeneric when the standard attention
// keys are present (the caller should say the estimate is generic).
Result<ModelShape> ReadModelShape(const GgufFile& file);

}  // namespace kolibri::plan
