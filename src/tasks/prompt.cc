#include "tasks/prompt.h"

#include <algorithm>

namespace kolibri::tasks {

std::string ExtractSystemMessage(const TaskDefinition& task) {
  std::string s = task.instructions;
  if (!s.empty() && s.back() != '\n') s += "\n";
  s += "Reply with one JSON object that matches this JSON Schema:\n" + task.schema +
       "\nCopy values marked x-kolibri-evidence exactly as they appear in the input.";
  return s;
}

std::string ClassifySystemMessage(const TaskDefinition& task) {
  std::string s = task.instructions;
  if (!s.empty() && s.back() != '\n') s += "\n";
  s += "Labels:\n";
  for (const auto& l : task.labels) {
    s += "- " + l.name;
    if (!l.description.empty()) s += ": " + l.description;
    s += "\n";
    for (const auto& e : l.examples) s += "  example: " + e + "\n";
  }
  s += "Answer with the label only.";
  return s;
}

std::string AnswerSystemMessage(const TaskDefinition& task) {
  std::string s = task.instructions;
  if (!s.empty() && s.back() != '\n') s += "\n";
  s += "Answer the question only from the sources in the user message. Reply with one JSON object: "
       "{\"status\": \"answered\" or \"not_in_sources\", \"answer\": your answer, \"citations\": "
       "[{\"chunk\": the id of a source, \"quote\": words copied exactly from that source}]}. "
       "Support every statement with a citation. If the sources do not contain the answer, reply with "
       "status \"not_in_sources\" and no citations.";
  return s;
}

std::string AnswerUserMessage(std::string_view question, const std::vector<RetrievedChunk>& sources) {
  std::string s = "Sources:\n";
  for (const RetrievedChunk& c : sources) {
    s += "\n[chunk " + c.chunk_id + "]";
    if (!c.title.empty()) s += " " + c.title;
    if (!c.heading_path.empty() && c.heading_path != c.title) s += " > " + c.heading_path;
    s += "\n" + c.text + "\n";
  }
  s += "\nQuestion: ";
  s += question;
  return s;
}

std::string RepairMessage(const std::vector<std::string>& errors) {
  std::string s = "That JSON is not acceptable:\n";
  for (const auto& e : errors) s += "- " + e + "\n";
  s += "Reply with a corrected JSON object only.";
  return s;
}

int32_t SequenceCapacity(const Scheduler& scheduler) {
  const SchedulerOptions& o = scheduler.options();
  return o.kv_unified ? o.context : o.context / std::max(1, o.parallel);
}

Result<std::vector<int32_t>> TokenizeChat(const Model& model, const std::vector<ChatMessage>& messages) {
  KOLIBRI_ASSIGN_OR_RETURN(std::string text, model.ApplyChatTemplate(messages, /*add_generation_prompt=*/true));
  TokenizeOptions o;
  o.add_special = true;
  o.parse_special = true;
  return model.Tokenize(text, o);
}

namespace {

// Drops a UTF-8 sequence cut short at the end of `s`.
void TrimPartialUtf8(std::string* s) {
  const size_t n = s->size();
  size_t i = n;  // after the loop, (*s)[i - 1] is the last non-continuation byte
  while (i > 0 && n - i < 4 && (static_cast<unsigned char>((*s)[i - 1]) & 0xC0) == 0x80) --i;
  if (i == 0) return;
  const unsigned char lead = static_cast<unsigned char>((*s)[i - 1]);
  const size_t have = n - i;
  if (lead < 0x80) {
    if (have > 0) s->resize(i);  // stray continuation bytes
    return;
  }
  const size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  if (have < need) s->resize(i - 1);
}

}  // namespace

Result<RenderedPrompt> RenderTaskPrompt(const Model& model, const TaskDefinition& task, const std::string& system,
                                        std::string_view input, int32_t capacity, int32_t reserve) {
  if (input.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("the input is empty");
  }
  RenderedPrompt p;
  p.input = std::string(input);
  p.messages = {{"system", system}, {"user", p.input}};
  KOLIBRI_ASSIGN_OR_RETURN(p.tokens, TokenizeChat(model, p.messages));
  const int32_t room = capacity - reserve;
  int32_t n = static_cast<int32_t>(p.tokens.size());
  if (n <= room) return p;
  if (!task.truncate) {
    return Status::OutOfRange("the input is too long: the prompt has " + std::to_string(n) + " tokens, and with " +
                              std::to_string(reserve) + " tokens for the answer it exceeds the " +
                              std::to_string(capacity) + "-token context; shorten the input, use a larger context, " +
                              "or set 'truncate: true' in task '" + task.name + "'");
  }
  TokenizeOptions raw;
  raw.add_special = false;
  raw.parse_special = false;
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<int32_t> input_tokens, model.Tokenize(p.input, raw));
  int32_t keep = static_cast<int32_t>(input_tokens.size()) - (n - room);
  for (int round = 0; round < 4 && keep > 0; ++round) {
    std::string cut;
    for (int32_t k = 0; k < keep && k < static_cast<int32_t>(input_tokens.size()); ++k) {
      cut += model.TokenToPiece(input_tokens[static_cast<size_t>(k)]);
    }
    TrimPartialUtf8(&cut);
    p.input = cut;
    p.messages[1].content = cut;
    p.truncated = true;
    KOLIBRI_ASSIGN_OR_RETURN(p.tokens, TokenizeChat(model, p.messages));
    n = static_cast<int32_t>(p.tokens.size());
    if (n <= room && !cut.empty()) return p;
    keep -= std::max(1, n - room);
  }
  return Status::OutOfRange("the instructions of task '" + task.name + "' leave no room for the input within the " +
                            std::to_string(capacity) + "-token context and " + std::to_string(reserve) +
                            " tokens for the answer");
}

}  // namespace kolibri::tasks
