#include "kolibri/cascade.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include "kolibri/http_post.h"
#include "kolibri/sha256.h"

namespace kolibri {
namespace {

using Clock = std::chrono::steady_clock;
using tasks::TaskDefinition;
using tasks::TaskKind;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string RandomId() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(Clock::now().time_since_epoch().count()));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

bool HasLabel(const TaskDefinition& task, const std::string& label) {
  return std::any_of(task.labels.begin(), task.labels.end(), [&](const auto& l) { return l.name == label; });
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// The chat request an upstream tier gets: the task's own system message, the input, and a
// response format that pins the answer's shape.
nlohmann::json UpstreamRequest(const UpstreamEndpoint& ep, const TaskDefinition& task, const std::string& input) {
  nlohmann::json schema;
  if (task.kind == TaskKind::kClassify) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& l : task.labels) names.push_back(l.name);
    schema = {{"type", "object"},
              {"properties", {{"label", {{"enum", names}}}}},
              {"required", {"label"}},
              {"additionalProperties", false}};
  } else {
    schema = nlohmann::json::parse(task.schema, nullptr, false);
  }
  return {{"model", ep.model},
          {"temperature", 0},
          {"max_tokens", task.kind == TaskKind::kClassify ? 64 : task.max_tokens},
          {"logprobs", true},
          {"messages",
           {{{"role", "system"}, {"content", tasks::TaskSystemMessage(task)}}, {{"role", "user"}, {"content", input}}}},
          {"response_format",
           {{"type", "json_schema"}, {"json_schema", {{"name", task.name}, {"strict", true}, {"schema", schema}}}}}};
}

struct Parsed {
  bool ok = false;
  std::string why;  // when not ok
  std::string label;
  nlohmann::json record;
  double confidence = 1;
};

// Reads an OpenAI chat completion and checks the answer against the task.
Parsed ParseUpstream(const std::string& body, const TaskDefinition& task, const std::string& input) {
  Parsed p;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    p.why = "the answer is not JSON";
    return p;
  }
  const auto* content = j.contains("choices") && j["choices"].is_array() && !j["choices"].empty() &&
                                j["choices"][0].is_object() && j["choices"][0].contains("message") &&
                                j["choices"][0]["message"].is_object() &&
                                j["choices"][0]["message"].contains("content") &&
                                j["choices"][0]["message"]["content"].is_string()
                            ? &j["choices"][0]["message"]["content"]
                            : nullptr;
  if (content == nullptr) {
    p.why = "the answer has no choices[0].message.content";
    return p;
  }
  const std::string text = content->get<std::string>();
  auto value = nlohmann::json::parse(text, nullptr, false);
  if (task.kind == TaskKind::kClassify) {
    std::string label;
    if (value.is_object() && value.contains("label") && value["label"].is_string()) {
      label = value["label"].get<std::string>();
    } else {
      label = text;  // a bare label is accepted too
      label.erase(0, label.find_first_not_of(" \t\r\n\""));
      label.erase(label.find_last_not_of(" \t\r\n\"") + 1);
    }
    if (!HasLabel(task, label)) {
      p.why = "the answer is not one of the task's labels: " + text.substr(0, 80);
      return p;
    }
    p.label = label;
    p.record = {{"label", label}};
  } else {
    if (value.is_discarded()) {
      p.why = "the record is not JSON: " + text.substr(0, 80);
      return p;
    }
    auto errors = tasks::CheckExtractedRecord(task, value, input);
    if (!errors.ok()) {
      p.why = errors.status().message();
      return p;
    }
    if (!errors->empty()) {
      p.why = "the record is invalid: " + errors->front();
      return p;
    }
    p.record = value;
  }
  // The probability of the returned answer, when the server gives token log-probabilities.
  const auto& choice = j["choices"][0];
  if (choice.contains("logprobs") && choice["logprobs"].is_object() && choice["logprobs"].contains("content") &&
      choice["logprobs"]["content"].is_array() && !choice["logprobs"]["content"].empty()) {
    double sum = 0;
    for (const auto& t : choice["logprobs"]["content"]) {
      if (t.is_object() && t.contains("logprob") && t["logprob"].is_number()) sum += t["logprob"].get<double>();
    }
    p.confidence = std::exp(sum);
  }
  p.ok = true;
  return p;
}

}  // namespace

std::string TaskVersion(const TaskDefinition& task) {
  Sha256 h;
  for (const std::string* s : {&task.name, &task.instructions, &task.schema, &task.model}) {
    h.Update(*s);
    h.Update("\x1f");
  }
  for (const auto& l : task.labels) {
    h.Update(l.name + "\x1e" + l.description);
    for (const auto& e : l.examples) h.Update("\x1d" + e);
  }
  h.Update("T" + std::to_string(task.calibration.temperature));
  return "task-" + h.HexDigest().substr(0, 12);
}

nlohmann::json CascadeResult::ToJson() const {
  nlohmann::json trail_json = nlohmann::json::array();
  for (const auto& t : trail) {
    nlohmann::json e = {{"tier", t.tier}, {"outcome", t.outcome}, {"confidence", t.confidence},
                        {"latency_ms", t.latency_ms}};
    if (!t.label.empty()) e["label"] = t.label;
    if (!t.detail.empty()) e["detail"] = t.detail;
    if (t.audit_id != 0) e["audit_id"] = t.audit_id;
    trail_json.push_back(e);
  }
  nlohmann::json j = {{"answered", answered}, {"tier", tier},          {"confidence", confidence},
                      {"request_id", request_id}, {"task_version", task_version}, {"trail", trail_json},
                      {"total_ms", total_ms}};
  if (!label.empty()) j["label"] = label;
  if (!record.is_null()) j["record"] = record;
  if (audit_id != 0) j["audit_id"] = audit_id;
  if (review_id != 0) j["review_id"] = review_id;
  return j;
}

const Tier0Classifier* Cascade::Tier0For(const TaskDefinition& task) const {
  auto it = r_.tier0_by_task.find(task.name);
  return it != r_.tier0_by_task.end() ? it->second : r_.tier0;
}

TierOutcome Cascade::RunTier0(const Tier0Classifier& tier0, const TaskDefinition& task, const std::string& input) {
  TierOutcome o;
  o.tier = "tier0";
  const auto t0 = Clock::now();
  Tier0Prediction p = tier0.Predict(input);
  o.latency_ms = MsSince(t0);
  o.confidence = p.probability;
  o.label = tier0.labels()[p.top];
  const double threshold = r_.tier0_threshold >= 0 ? r_.tier0_threshold : tier0.threshold();
  if (!HasLabel(task, o.label)) {
    o.outcome = "escalated";
    o.detail = "tier-0 label '" + o.label + "' is not a label of the task";
  } else if (p.escalate || p.probability < threshold) {
    o.outcome = "escalated";
    o.detail = p.known_features == 0 ? "no known feature in the input"
                                     : "confidence " + Fixed(p.probability) + " below " + Fixed(threshold);
  } else {
    o.outcome = "answered";
    o.record = {{"label", o.label}};
  }
  return o;
}

TierOutcome Cascade::RunSlm(const TaskDefinition& task, const std::string& input) {
  TierOutcome o;
  o.tier = "slm";
  const auto t0 = Clock::now();
  if (task.kind == TaskKind::kClassify) {
    auto c = r_.slm->Classify(task, input);
    o.latency_ms = MsSince(t0);
    if (!c.ok()) {
      o.outcome = "error";
      o.detail = c.status().ToString();
      return o;
    }
    const double threshold = r_.slm_threshold >= 0 ? r_.slm_threshold : task.min_confidence;
    o.label = c->top;
    o.confidence = c->probability;
    o.record = {{"label", c->top}};
    o.outcome = c->probability >= threshold ? "answered" : "escalated";
    if (o.outcome == "escalated") o.detail = "confidence " + Fixed(c->probability) + " below " + Fixed(threshold);
    return o;
  }
  if (task.kind == TaskKind::kAnswer) {
    auto a = r_.slm->Answer(task, input);
    o.latency_ms = MsSince(t0);
    if (!a.ok()) {
      o.outcome = "error";
      o.detail = a.status().ToString();
      return o;
    }
    o.record = a->ToJson();
    o.label = a->status;
    o.confidence = a->valid ? 1 : 0;
    o.outcome = a->valid ? "answered" : "escalated";
    if (!a->valid) o.detail = "the answer failed the citation check: " + a->errors.front();
    return o;
  }
  auto e = r_.slm->Extract(task, input);
  o.latency_ms = MsSince(t0);
  if (!e.ok()) {
    o.outcome = "error";
    o.detail = e.status().ToString();
    return o;
  }
  o.record = e->record;
  o.confidence = e->valid ? 1 : 0;
  o.outcome = e->valid ? "answered" : "escalated";
  if (!e->valid) {
    o.detail = "no valid record after " + std::to_string(e->attempts) + " attempts (" + e->stopped_by + ")" +
               (e->validation_errors.empty() ? "" : ": " + e->validation_errors.back());
  }
  return o;
}

TierOutcome Cascade::RunUpstream(const std::string& name, const UpstreamEndpoint& ep, const TaskDefinition& task,
                                 const std::string& input) {
  TierOutcome o;
  o.tier = name;
  const auto t0 = Clock::now();
  const std::string body = UpstreamRequest(ep, task, input).dump();
  HttpPostOptions http;
  http.timeout_s = ep.timeout_s;
  if (!ep.api_key.empty()) http.headers.push_back("Authorization: Bearer " + ep.api_key);
  std::string base = ep.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  double backoff = ep.backoff_s;
  std::string last_problem;
  for (int attempt = 0; attempt <= std::max(0, ep.retries); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
      backoff *= 2;
    }
    auto resp = HttpPost(base + "/chat/completions", body, http);
    if (!resp.ok()) {
      last_problem = resp.status().message();
      continue;
    }
    if (resp->status == 429 || resp->status >= 500) {
      last_problem = "HTTP " + std::to_string(resp->status);
      continue;
    }
    if (resp->status < 200 || resp->status >= 300) {
      last_problem = "HTTP " + std::to_string(resp->status) + ": " + resp->body.substr(0, 120);
      break;  // a client error does not get better by retrying
    }
    Parsed p = ParseUpstream(resp->body, task, input);
    if (!p.ok) {
      last_problem = p.why;
      continue;
    }
    o.latency_ms = MsSince(t0);
    o.label = p.label;
    o.record = p.record;
    o.confidence = p.confidence;
    o.outcome = p.confidence >= ep.threshold ? "answered" : "escalated";
    if (o.outcome == "escalated") o.detail = "confidence " + Fixed(p.confidence) + " below " + Fixed(ep.threshold);
    return o;
  }
  o.latency_ms = MsSince(t0);
  o.outcome = "error";
  o.detail = "upstream '" + name + "' failed after " + std::to_string(std::max(0, ep.retries) + 1) +
             " tries: " + last_problem;
  return o;
}

Result<CascadeResult> Cascade::Run(const TaskDefinition& task, const std::string& input,
                                   const CascadeRunOptions& options) {
  if (input.empty()) return Status::InvalidArgument("the input is empty");
  std::vector<std::string> order = options.tiers;
  if (order.empty()) {
    if (task.kind == TaskKind::kClassify && Tier0For(task) != nullptr) order.push_back("tier0");
    if (r_.slm != nullptr) order.push_back("slm");
    for (const auto& e : task.escalation) order.push_back(e);
    if (r_.review != nullptr && std::find(order.begin(), order.end(), "human") == order.end()) {
      order.push_back("human");
    }
  }
  for (const auto& t : order) {
    const bool known = (t == "tier0" && Tier0For(task) != nullptr) || (t == "slm" && r_.slm != nullptr) ||
                       (t == "human" && r_.review != nullptr) || r_.upstreams.count(t) > 0;
    if (!known) {
      return Status::InvalidArgument("tier '" + t + "' of task '" + task.name +
                                     "' is not configured (tier0 needs a router model, slm a model, human a "
                                     "review queue, any other name an upstream endpoint)");
    }
    if (t == "tier0" && task.kind != TaskKind::kClassify) {
      return Status::InvalidArgument("tier0 only answers classify tasks; task '" + task.name + "' is an " +
                                     std::string(tasks::TaskKindName(task.kind)) + " task");
    }
    if (task.kind == TaskKind::kAnswer && r_.upstreams.count(t) > 0) {
      return Status::InvalidArgument("answer task '" + task.name + "' cannot escalate to upstream '" + t +
                                     "': it answers only from the local index (use slm and human)");
    }
  }
  const auto t0 = Clock::now();
  CascadeResult result;
  result.request_id = options.request_id.empty() ? RandomId() : options.request_id;
  result.task_version = TaskVersion(task);
  const std::string input_hash = AuditInputHash(input);
  auto audit = [&](TierOutcome& o, const std::string& model) {
    if (r_.audit == nullptr) return;
    AuditEntry e;
    e.request_id = result.request_id;
    e.task = task.name;
    e.task_version = result.task_version;
    e.input_hash = input_hash;
    e.tier = o.tier;
    e.model = model;
    e.outcome = o.outcome == "queued" ? "escalated" : o.outcome;
    e.label = o.label;
    e.record_json = o.record.is_null() ? "" : o.record.dump();
    e.confidence = o.confidence;
    e.latency_ms = o.latency_ms;
    e.detail = o.detail;
    auto id = r_.audit->Append(e);
    if (id.ok()) o.audit_id = *id;
  };
  for (const auto& t : order) {
    TierOutcome o;
    std::string model;
    if (t == "tier0") {
      o = RunTier0(*Tier0For(task), task, input);
      model = Tier0For(task)->fingerprint();
    } else if (t == "slm") {
      o = RunSlm(task, input);
      model = r_.slm_model;
    } else if (t == "human") {
      // The best answer seen so far goes with the item, to speed up the person's work.
      const TierOutcome* best = nullptr;
      for (const auto& prev : result.trail) {
        if (!prev.record.is_null() && (best == nullptr || prev.confidence > best->confidence)) best = &prev;
      }
      NewReviewItem item;
      item.task = task.name;
      item.input_text = input;
      item.proposed_json = best != nullptr ? best->record.dump() : "null";
      item.confidence = best != nullptr ? best->confidence : 0;
      item.tier = best != nullptr ? best->tier : "";
      item.idempotency_key = options.idempotency_key;
      const auto q0 = Clock::now();
      auto queued = r_.review->Enqueue(item);
      o.tier = "human";
      o.latency_ms = MsSince(q0);
      if (!queued.ok()) {
        o.outcome = "error";
        o.detail = queued.status().ToString();
      } else {
        o.outcome = "queued";
        o.detail = "review item " + std::to_string(queued->id) + (queued->created ? "" : " (existing)");
        result.review_id = queued->id;
      }
      model = "review-queue";
    } else {
      const UpstreamEndpoint& ep = r_.upstreams.at(t);
      o = RunUpstream(t, ep, task, input);
      model = ep.model;
    }
    audit(o, model);
    result.trail.push_back(o);
    if (o.outcome == "answered" || o.outcome == "queued") {
      result.answered = o.outcome == "answered";
      result.tier = o.tier;
      result.label = o.label;
      result.record = o.record;
      result.confidence = o.confidence;
      result.audit_id = o.audit_id;
      break;
    }
  }
  if (result.tier.empty() && !result.trail.empty()) result.audit_id = result.trail.back().audit_id;
  result.total_ms = MsSince(t0);
  return result;
}

}  // namespace kolibri
