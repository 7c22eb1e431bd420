// Prompt rendering for tasks: the system message of each task kind, the chat template, and
// fitting the input into a sequence (an OutOfRange error, or truncation when allowed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/document_store.h"
#include "kolibri/model.h"
#include "kolibri/scheduler.h"
#include "kolibri/status.h"
#include "kolibri/tasks/task.h"

namespace kolibri::tasks {

// Instructions, then the schema (compact) and "reply with one JSON object".
std::string ExtractSystemMessage(const TaskDefinition& task);
// Instructions, then the labels with descriptions and examples, "answer with the label".
std::string ClassifySystemMessage(const TaskDefinition& task);
// Instructions, then the grounding rules and the answer's JSON shape.
std::string AnswerSystemMessage(const TaskDefinition& task);
// The sources (id, title / heading, text of each chunk), then the question.
std::string AnswerUserMessage(std::string_view question, const std::vector<RetrievedChunk>& sources);
// The user message asking for a corrected record after `errors`.
std::string RepairMessage(const std::vector<std::string>& errors);

struct RenderedPrompt {
  std::vector<ChatMessage> messages;  // system, user(input)
  std::string input;                  // the input as used (cut when truncated)
  bool truncated = false;
  std::vector<int32_t> tokens;        // the rendered conversation with the generation prompt
};

// Tokens one sequence of `scheduler` can hold.
int32_t SequenceCapacity(const Scheduler& scheduler);

// Chat template + tokenization. FailedPrecondition when the model has no chat template.
Result<std::vector<int32_t>> TokenizeChat(const Model& model, const std::vector<ChatMessage>& messages);

// Renders system + input so that the prompt plus `reserve` tokens fit `capacity`.
// InvalidArgument for an empty input; OutOfRange when it does not fit and `task.truncate`
// is false (or the system message alone does not fit).
Result<RenderedPrompt> RenderTaskPrompt(const Model& model, const TaskDefinition& task, const std::string& system,
                                        std::string_view input, int32_t capacity, int32_t reserve);

}  // namespace kolibri::tasks
