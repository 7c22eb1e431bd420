// PlaceWeights: which llama.cpp buffer each weight of a GGUF lands in, and how big those
// buffers are — following llama-model.cpp's buffer-type selection at the pinned commit:
//
//  * layer il is on the GPU when il >= n_layer + 1 - gpu_layers, the output layer when
//    gpu_layers >= 1; the token embedding always stays on the CPU;
//  * on the CPU, a weight used by a matrix multiplication goes to the first extra buffer
//    type that accepts it (AMX, then CPU_REPACK — ggml-cpu's order), else to the default
//    buffer; a tied output layer is a second tensor over token_embd's data, so a re-laid
//    output is a real copy;
//  * with mmap the default CPU buffer is the file range from the first to the last byte
//    of the tensors in it (repacked tensors in between still count), without mmap it is
//    the sum of the tensors.
#pragma once

#include <cstdint>

#include "kolibri/gguf_file.h"
#include "kolibri/memory_plan.h"
#include "plan/model_shape.h"

namespace kolibri::plan {

struct WeightPlacement {
  uint64_t cpu_default = 0;   // CPU / CPU_Mapped buffer
  uint64_t cpu_repacked = 0;  // AMX + CPU_REPACK buffers
  uint64_t gpu = 0;
  uint64_t bytes_per_decoded_token = 0;
  uint64_t matmul_parameters = 0;
};

WeightPlacement PlaceWeights(const GgufFile& file, const ModelShape& shape, const PlanOptions& options);

// Bytes of one tensor in the extra CPU buffer that would take it, or 0 when none would
// (exposed for tests). `rows` is ne[1] (output features), `cols` ne[0].
uint64_t ExtraBufferBytes(GgmlType type, int64_t cols, int64_t rows, const CpuWeightKernels& cpu);

}  // namespace kolibri::plan
