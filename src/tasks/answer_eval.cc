#include "kolibri/tasks/answer_eval.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace kolibri::tasks {
namespace {

std::string Collapse(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

double Rate(int64_t n, int64_t d) { return d == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(d); }

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5))];
}

}  // namespace

bool PassageMatches(const std::string& passage, const RetrievedChunk& chunk) {
  if (passage.empty()) return false;
  if (passage == chunk.chunk_id) return true;
  const std::string p = Collapse(passage), t = Collapse(chunk.text);
  if (p.empty() || t.empty()) return false;
  return t.find(p) != std::string::npos || p.find(t) != std::string::npos;
}

Result<std::vector<AnswerEvalCase>> ParseAnswerEval(const std::string& jsonl, const std::string& name) {
  std::vector<AnswerEvalCase> out;
  std::istringstream in(jsonl);
  std::string line;
  int32_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = name + ":" + std::to_string(n) + ": ";
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(where + "not a JSON object");
    AnswerEvalCase c;
    c.line = n;
    if (!j.contains("question") || !j["question"].is_string() || j["question"].get<std::string>().empty()) {
      return Status::InvalidArgument(where + "\"question\" must be a non-empty string");
    }
    c.question = j["question"].get<std::string>();
    if (j.contains("answer")) {
      if (!j["answer"].is_string()) return Status::InvalidArgument(where + "\"answer\" must be a string");
      c.answer = j["answer"].get<std::string>();
    }
    if (j.contains("passage")) {
      if (!j["passage"].is_string()) return Status::InvalidArgument(where + "\"passage\" must be a string");
      c.passage = j["passage"].get<std::string>();
    }
    if (j.contains("unanswerable")) {
      if (!j["unanswerable"].is_boolean()) return Status::InvalidArgument(where + "\"unanswerable\" must be true or false");
      c.unanswerable = j["unanswerable"].get<bool>();
    }
    if (c.unanswerable && (!c.passage.empty() || !c.answer.empty())) {
      return Status::InvalidArgument(where + "an unanswerable question has no passage or answer");
    }
    if (!c.unanswerable && c.passage.empty()) {
      return Status::InvalidArgument(where + "give a \"passage\" (gold chunk id or text) or \"unanswerable\": true");
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) return Status::InvalidArgument(name + " holds no questions");
  return out;
}

Result<std::vector<AnswerEvalCase>> LoadAnswerEval(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound("evaluation file '" + path + "' not found");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ParseAnswerEval(ss.str(), path);
}

Result<AnswerEvalReport> EvaluateAnswers(TaskRunner& runner, const TaskDefinition& task,
                                         const std::vector<AnswerEvalCase>& cases,
                                         const std::function<void(size_t, size_t)>& progress) {
  AnswerEvalReport r;
  r.k = task.k;
  RunOptions run;
  for (size_t i = 0; i < cases.size(); ++i) {
    const AnswerEvalCase& c = cases[i];
    run.seed = static_cast<uint32_t>(i);
    auto a = runner.Answer(task, c.question, run);
    if (!a.ok()) return a.status().WithContext("question on line " + std::to_string(c.line));
    ++r.cases;
    r.latency_ms.push_back(a->total_ms);
    if (a->forced) ++r.forced_abstentions;
    if (c.unanswerable) {
      ++r.unanswerable;
      if (a->status == "not_in_sources") ++r.abstained_unanswerable;
    } else {
      ++r.answerable;
      if (a->status == "answered") ++r.answered_answerable;
      if (!c.passage.empty()) {
        ++r.with_passage;
        if (std::any_of(a->retrieved.begin(), a->retrieved.end(),
                        [&](const RetrievedChunk& ch) { return PassageMatches(c.passage, ch); })) {
          ++r.passage_found;
        }
      }
      if (!c.answer.empty() && a->status == "answered") {
        ++r.with_gold_answer;
        if (Lower(a->answer).find(Lower(c.answer)) != std::string::npos) ++r.answer_match;
      }
    }
    for (const AnswerCitation& cite : a->citations) {
      ++r.citations;
      if (cite.valid) ++r.valid_citations;
    }
    if (a->valid) {
      ++r.valid_outputs;
    } else if (r.invalid_examples.size() < 5) {
      r.invalid_examples.push_back("line " + std::to_string(c.line) + ": " +
                                   (a->errors.empty() ? std::string("invalid") : a->errors.front()));
    }
    if (progress) progress(i + 1, cases.size());
  }
  return r;
}

nlohmann::json AnswerEvalReport::ToJson() const {
  return {{"cases", cases},
          {"k", k},
          {"answerable", answerable},
          {"unanswerable", unanswerable},
          {"recall_at_k", Rate(passage_found, with_passage)},
          {"passages_found", passage_found},
          {"with_passage", with_passage},
          {"answer_accuracy", Rate(answered_answerable, answerable)},
          {"abstain_accuracy", Rate(abstained_unanswerable, unanswerable)},
          {"accuracy", Rate(answered_answerable + abstained_unanswerable, cases)},
          {"answer_match", Rate(answer_match, with_gold_answer)},
          {"with_gold_answer", with_gold_answer},
          {"forced_abstentions", forced_abstentions},
          {"citations", citations},
          {"valid_citations", valid_citations},
          {"citation_validity", citations == 0 ? 1.0 : Rate(valid_citations, citations)},
          {"valid_outputs", valid_outputs},
          {"valid_output_rate", Rate(valid_outputs, cases)},
          {"invalid_examples", invalid_examples},
          {"latency_ms", {{"p50", Percentile(latency_ms, 0.5)}, {"p95", Percentile(latency_ms, 0.95)}}}};
}

}  // namespace kolibri::tasks
