#include "kolibri/model.h"

#include <exception>

#include "chat.h"
#include "engine/llama_backend.h"
#include "kolibri/gguf_file.h"
#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/vocabulary.h"
#include "kolibri/model_summary.h"
#include "llama.h"

namespace kolibri {

Result<std::shared_ptr<Model>> Model::Load(const std::string& path, const ModelOptions& options) {
  engine::EnsureLlamaBackend();
  // Read the header ourselves first: llama.cpp reports a missing, truncated or foreign
  // file only as "failed to load model", which tells the user nothing.
  KOLIBRI_ASSIGN_OR_RETURN(GgufFile header, GgufFile::Open(path));
  KOLIBRI_ASSIGN_OR_RETURN(ModelSummary summary, SummarizeModel(header));
  if (!summary.architecture_known) {
    return Status::Unsupported("'" + path + "' has architecture '" + summary.architecture +
                               "', which the pinned llama.cpp (v0.5.0) cannot run");
  }
  llama_model_params params = llama_model_default_params();
  params.n_gpu_layers = options.gpu_layers;
  if (!options.use_mmap) params.load_mode = LLAMA_LOAD_MODE_NONE;
  llama_model* raw = llama_model_load_from_file(path.c_str(), params);
  if (raw == nullptr) {
    return Status::Internal("llama.cpp could not load '" + path +
                            "' (architecture '" + summary.architecture +
                            "'); run with KOLIBRI_LLAMA_LOG=2 for llama.cpp's reason");
  }
  std::shared_ptr<Model> model(new Model());
  model->path_ = path;
  model->architecture_ = summary.architecture;
  model->model_ = raw;
  model->vocab_ = llama_model_get_vocab(raw);
  bool has_own = llama_model_chat_template(raw, nullptr) != nullptr;
  if (has_own || !options.chat_template.empty()) {
    try {
      model->templates_ = common_chat_templates_init(raw, options.chat_template).release();
    } catch (const std::exception& e) {
      return Status::InvalidArgument("chat template of '" + path + "' does not parse: " + e.what());
    }
  }
  return model;
}

Model::~Model() {
  if (templates_ != nullptr) common_chat_templates_free(templates_);
  if (model_ != nullptr) llama_model_free(model_);
}

int32_t Model::vocab_size() const { return llama_vocab_n_tokens(vocab_); }
int32_t Model::train_context() const { return llama_model_n_ctx_train(model_); }
int32_t Model::eos_token() const { return llama_vocab_eos(vocab_); }
int32_t Model::end_of_turn_token() const {
  const int32_t eot = llama_vocab_eot(vocab_);
  return eot >= 0 ? eot : llama_vocab_eos(vocab_);
}
bool Model::IsEndOfGeneration(int32_t token) const { return llama_vocab_is_eog(vocab_, token); }

Result<std::vector<int32_t>> Model::Tokenize(std::string_view text,
                                             const TokenizeOptions& options) const {
  if (text.size() > static_cast<size_t>(INT32_MAX) / 2) {
    return Status::OutOfRange("text of " + std::to_string(text.size()) + " bytes is too long to tokenize");
  }
  std::vector<llama_token> tokens(text.size() + 8);
  int32_t n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                             static_cast<int32_t>(tokens.size()), options.add_special,
                             options.parse_special);
  if (n < 0) {
    tokens.resize(static_cast<size_t>(-n));
    n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                       static_cast<int32_t>(tokens.size()), options.add_special, options.parse_special);
  }
  if (n < 0) return Status::Internal("tokenization failed");
  tokens.resize(static_cast<size_t>(n));
  return std::vector<int32_t>(tokens.begin(), tokens.end());
}

std::string Model::TokenToPiece(int32_t token) const {
  char buf[256];
  int32_t n = llama_token_to_piece(vocab_, token, buf, sizeof buf, 0, true);
  if (n >= 0) return std::string(buf, static_cast<size_t>(n));
  std::string big(static_cast<size_t>(-n), '\0');
  n = llama_token_to_piece(vocab_, token, big.data(), static_cast<int32_t>(big.size()), 0, true);
  big.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return big;
}

std::shared_ptr<const grammar::VocabularyIndex> Model::GrammarVocabulary() const {
  std::call_once(grammar_vocab_once_, [this] {
    grammar::Vocabulary v;
    const int32_t n = vocab_size();
    v.token_bytes.resize(static_cast<size_t>(n));
    v.special.resize(static_cast<size_t>(n));
    for (int32_t t = 0; t < n; ++t) {
      const llama_token_attr attr = llama_vocab_get_attr(vocab_, t);
      const bool control = attr == LLAMA_TOKEN_ATTR_UNDEFINED ||
                           (attr & (LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_UNKNOWN |
                                    LLAMA_TOKEN_ATTR_UNUSED)) != 0;
      if (llama_vocab_is_eog(vocab_, t)) v.stop_ids.push_back(t);
      v.special[static_cast<size_t>(t)] = control;
      if (!control) {
        char buf[256];
        int32_t len = llama_token_to_piece(vocab_, t, buf, sizeof buf, 0, false);
        if (len > 0) v.token_bytes[static_cast<size_t>(t)].assign(buf, static_cast<size_t>(len));
      }
    }
    v.id = path_ + "#" + std::to_string(n);
    grammar_vocab_ = grammar::VocabularyIndex::Build(std::move(v));
  });
  return grammar_vocab_;
}

Result<std::string> Model::ApplyChatTemplate(const std::vector<ChatMessage>& messages,
                                             bool add_generation_prompt) const {
  if (templates_ == nullptr) {
    return Status::FailedPrecondition("model '" + path_ +
                                      "' has no chat template and none is configured; set one "
                                      "(chat_template) or send a plain completion");
  }
  if (messages.empty()) return Status::InvalidArgument("no messages to render");
  common_chat_templates_inputs inputs;
  inputs.add_generation_prompt = add_generation_prompt;
  inputs.use_jinja = true;
  for (const auto& m : messages) {
    common_chat_msg msg;
    msg.role = m.role;
    msg.content = m.content;
    inputs.messages.push_back(std::move(msg));
  }
  try {
    return common_chat_templates_apply(templates_, inputs).prompt;
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("chat template failed: ") + e.what());
  }
}

}  // namespace kolibri
