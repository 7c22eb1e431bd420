// One mail through a worker's steps. See kolibri/worker/worker_pipeline.h.
#include "kolibri/worker/worker_pipeline.h"

#include <chrono>
#include <regex>

#include "worker/pipeline_impl.h"

namespace kolibri::worker {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double MsSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// At most `max_bytes` of `s`, cut on a UTF-8 character boundary.
std::string CutUtf8(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string AsText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// The values steps and the record read, for one mail.
class Values {
 public:
  Values(const WorkerConfig& c, const MailItem& mail) : c_(c), mail_(mail) {
    body_ = CutUtf8(mail.body_text, static_cast<size_t>(c.max_body_chars));
    input_text_ = Render(c.input_template);
  }

  json Get(const ValueRef& ref) const {
    if (ref.root == "input") return input_text_;
    if (ref.root == "mail") {
      if (ref.field == "body_text") return body_;
      if (ref.field == "subject") return mail_.subject;
      if (ref.field == "from") return mail_.from;
      if (ref.field == "from_name") return mail_.from_name;
      if (ref.field == "message_id") return mail_.id;
      return mail_.text;
    }
    auto it = steps_.find(ref.step);
    if (it == steps_.end()) return nullptr;
    const json& s = it->second;
    return s.contains(ref.field) ? s[ref.field] : json(nullptr);
  }

  // Replaces {{ref}} in `text`, in one pass.
  std::string Render(const std::string& text) const {
    static const std::regex kVar(R"(\{\{\s*([a-z_.0-9]+)\s*\}\})");
    std::string out;
    size_t copied = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), kVar), end; it != end; ++it) {
      out.append(text, copied, static_cast<size_t>(it->position()) - copied);
      copied = static_cast<size_t>(it->position() + it->length());
      out += AsText(Get(Parse((*it)[1].str())));
    }
    out.append(text, copied, std::string::npos);
    return out;
  }

  void SetStep(const std::string& id, json values) { steps_[id] = std::move(values); }
  bool StepAnswered(const std::string& id) const {
    auto it = steps_.find(id);
    return it != steps_.end() && it->second.value("answered", false);
  }

  static ValueRef Parse(const std::string& text) {
    ValueRef r;
    r.text = text;
    const size_t a = text.find('.');
    r.root = text.substr(0, a);
    if (r.root == "steps") {
      const size_t b = text.find('.', a + 1);
      r.step = text.substr(a + 1, b - a - 1);
      r.field = text.substr(b + 1);
    } else {
      r.field = text.substr(a + 1);
    }
    return r;
  }

 private:
  const WorkerConfig& c_;
  const MailItem& mail_;
  std::string body_;
  std::string input_text_;
  std::map<std::string, json> steps_;
};

// A task step's input: its context lines (earlier outputs), a blank line, then its input.
std::string InputFor(const StepConfig& s, const Values& values) {
  std::string input = AsText(values.Get(s.input));
  if (s.context.empty()) return input;
  std::string prefix;
  for (const auto& [name, ref] : s.context) prefix += name + ": " + AsText(values.Get(ref)) + "\n";
  return prefix + "\n" + input;
}

bool HasLabel(const tasks::TaskDefinition& task, const std::string& label) {
  for (const auto& l : task.labels) {
    if (l.name == label) return true;
  }
  return false;
}

// The record that states nothing: every property null — used when no tier produced an
// acceptable record, so the assembled record stays valid and asserts no unverified fact.
// Null when the task's schema does not allow it.
json NullRecord(const tasks::TaskDefinition& task, const std::string& input) {
  const json schema = json::parse(task.schema, nullptr, false);
  if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object()) return nullptr;
  json record = json::object();
  for (const auto& [name, sub] : schema["properties"].items()) record[name] = nullptr;
  auto errors = tasks::CheckExtractedRecord(task, record, input);
  return errors.ok() && errors->empty() ? record : json(nullptr);
}

StepOutcome RunTaskStep(const PreparedStep& p, Values& values, const MailItem& mail, std::vector<std::string>* review) {
  const StepConfig& s = *p.config;
  const tasks::TaskDefinition& task = *p.task;
  StepOutcome o;
  o.id = s.id;
  o.task = task.name;
  const auto t0 = Clock::now();
  const std::string input = InputFor(s, values);
  if (p.tiers.empty()) {
    o.detail = "no usable tier";
  } else {
    CascadeRunOptions ro;
    ro.tiers = p.tiers;
    ro.idempotency_key = mail.id + ":" + s.id;
    ro.request_id = mail.id + ":" + s.id;
    auto r = p.cascade->Run(task, input, ro);
    if (!r.ok()) {
      o.detail = r.status().message();
    } else {
      o.answered = r->answered;
      o.tier = r->tier;
      o.confidence = r->confidence;
      o.review_id = r->review_id;
      o.trail = r->ToJson()["trail"];
      // The best proposal a tier made, for the record when no tier answered.
      const TierOutcome* best = nullptr;
      for (const auto& t : r->trail) {
        const bool usable = task.kind == tasks::TaskKind::kClassify ? HasLabel(task, t.label) : !t.record.is_null();
        if (usable && (best == nullptr || t.confidence > best->confidence)) best = &t;
        if (t.outcome != "answered" && t.outcome != "queued" && !t.detail.empty()) o.detail = t.tier + ": " + t.detail;
      }
      if (task.kind == tasks::TaskKind::kClassify) {
        o.label = o.answered ? r->label : (best != nullptr ? best->label : "");
        if (!o.answered && best != nullptr) o.confidence = best->confidence;
      } else {
        o.record = o.answered ? r->record : (best != nullptr ? best->record : json(nullptr));
      }
    }
  }
  if (task.kind == tasks::TaskKind::kExtract && !o.record.is_null()) {
    // Defence in depth: whatever tier produced it, the record must pass the schema and the
    // evidence rule against this step's input, else it is not used at all.
    auto errors = tasks::CheckExtractedRecord(task, o.record, input);
    if (!errors.ok()) o.rejected_errors.push_back(errors.status().message());
    else o.rejected_errors = *errors;
    if (!o.rejected_errors.empty()) {
      o.record = nullptr;
      o.answered = false;
      o.detail = "record rejected: " + o.rejected_errors.front();
    }
  }
  if (task.kind == tasks::TaskKind::kExtract && o.record.is_null()) o.record = NullRecord(task, input);
  if (!o.answered) review->push_back(s.id + ": " + (o.detail.empty() ? "not answered" : o.detail));
  o.ms = MsSince(t0);
  values.SetStep(s.id, {{"label", o.label.empty() ? json(nullptr) : json(o.label)},
                        {"record", o.record},
                        {"confidence", o.confidence},
                        {"tier", o.tier},
                        {"answered", o.answered}});
  return o;
}

ReplyOutcome RunReplyStep(const PreparedStep& p, const WorkerPipeline::Impl& impl, Values& values,
                          const MailItem& mail, std::vector<std::string>* review) {
  const StepConfig& s = *p.config;
  ReplyOutcome out;
  out.step = s.id;
  // Every step the reply id is made of must have been answered, and none may say "none".
  static const std::regex kVar(R"(\{\{\s*steps\.([a-z0-9_]+)\.label\s*\}\})");
  for (std::sregex_iterator it(s.reply_id_template.begin(), s.reply_id_template.end(), kVar), end; it != end; ++it) {
    const std::string step = (*it)[1].str();
    if (!values.StepAnswered(step)) {
      out.reason = "step '" + step + "' was not answered confidently";
    } else if (AsText(values.Get(Values::Parse("steps." + step + ".label"))) == s.none_label) {
      out.reason = "no standard reply fits (step '" + step + "' chose '" + s.none_label + "')";
    }
    if (!out.reason.empty()) break;
  }
  const json fields = values.Get(s.fields);
  if (out.reason.empty()) {
    const std::string id = values.Render(s.reply_id_template);
    const Reply* reply = impl.replies ? impl.replies->Find(id) : nullptr;
    if (reply == nullptr) {
      out.reason = "no reply '" + id + "' in the library";
    } else {
      FilledReply filled = ReplyLibrary::Fill(*reply, fields);
      out.facts = filled.facts;
      if (!filled.ok) {
        std::string names;
        for (const auto& m : filled.missing) names += (names.empty() ? "" : ", ") + m;
        out.reason = "reply '" + id + "' needs " + names + ", which the mail does not state (or was not extracted)";
      } else {
        out.id = id;
        out.text = std::move(filled.text);
      }
    }
  }
  if (out.id.empty() && s.missing_required_to_review) {
    review->push_back(s.id + ": " + out.reason);
    if (impl.review != nullptr) {
      NewReviewItem item;
      item.task = s.id;
      item.input_text = AsText(values.Get(Values::Parse("input.text")));
      item.proposed_json = json{{"reply_id", nullptr}, {"reason", out.reason}}.dump();
      item.idempotency_key = mail.id + ":" + s.id;
      if (!item.input_text.empty()) (void)impl.review->Enqueue(item);
    }
  }
  values.SetStep(s.id, {{"reply_id", out.id.empty() ? json(nullptr) : json(out.id)},
                        {"reply_text", out.id.empty() ? json(nullptr) : json(out.text)},
                        {"answered", !out.id.empty()}});
  return out;
}

}  // namespace

std::string StepInputText(const WorkerConfig& config, const StepConfig& step, const MailItem& mail,
                          const nlohmann::json& earlier) {
  Values values(config, mail);
  if (earlier.is_object()) {
    for (const auto& [id, v] : earlier.items()) values.SetStep(id, v);
  }
  return InputFor(step, values);
}

const StepOutcome* MailResult::Step(const std::string& id) const {
  for (const auto& s : steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

json MailResult::ToJson() const {
  json steps_json = json::object();
  for (const auto& s : steps) {
    json j = {{"task", s.task}, {"answered", s.answered}, {"tier", s.tier}, {"confidence", s.confidence}};
    if (!s.label.empty()) j["label"] = s.label;
    if (!s.record.is_null() || s.label.empty()) j["record"] = s.record;
    if (!s.rejected_errors.empty()) j["rejected_errors"] = s.rejected_errors;
    if (s.review_id != 0) j["review_id"] = s.review_id;
    if (!s.detail.empty() && !s.answered) j["detail"] = s.detail;
    j["trail"] = s.trail;
    j["ms"] = s.ms;
    steps_json[s.id] = std::move(j);
  }
  json reply = nullptr;
  if (!replies.empty()) {
    const ReplyOutcome& r = replies.front();
    reply = {{"step", r.step}, {"id", r.id.empty() ? json(nullptr) : json(r.id)}, {"facts", r.facts}};
    if (!r.id.empty()) reply["text"] = r.text;
    else reply["reason"] = r.reason;
  }
  json j = {{"message_id", message_id}, {"source", source}, {"status", status}, {"steps", steps_json},
            {"reply", reply},           {"record", record},  {"record_valid", record_valid}};
  if (derived_id) j["derived_id"] = true;
  if (!record_errors.empty()) j["record_errors"] = record_errors;
  j["review"] = review_reasons;
  j["ms"] = ms;
  return j;
}

WorkerPipeline::WorkerPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WorkerPipeline::~WorkerPipeline() = default;

Result<std::unique_ptr<WorkerPipeline>> WorkerPipeline::Create(const WorkerConfig& config,
                                                               const PipelineOptions& options) {
  auto impl = std::make_unique<Impl>();
  KOLIBRI_RETURN_IF_ERROR(SetUpPipeline(config, options, impl.get()));
  return std::unique_ptr<WorkerPipeline>(new WorkerPipeline(std::move(impl)));
}

const std::vector<std::string>& WorkerPipeline::notes() const { return impl_->notes; }
const std::string& WorkerPipeline::model_path() const { return impl_->model_path; }
WorkerPipeline::Tokens WorkerPipeline::tokens() const {
  if (impl_->scheduler == nullptr) return {};
  const SchedulerStats s = impl_->scheduler->Stats();
  return {s.prompt_tokens, s.prompt_tokens_cached, s.generated_tokens};
}

Result<MailResult> WorkerPipeline::Process(const MailItem& mail) {
  if (!mail.problem.empty()) return Status::InvalidArgument(mail.source + ": " + mail.problem);
  const auto t0 = Clock::now();
  MailResult result;
  result.message_id = mail.id;
  result.derived_id = mail.derived_id;
  result.source = mail.source;
  Values values(impl_->config, mail);
  for (const PreparedStep& p : impl_->steps) {
    if (p.config->kind == StepKind::kTask) {
      result.steps.push_back(RunTaskStep(p, values, mail, &result.review_reasons));
    } else {
      result.replies.push_back(RunReplyStep(p, *impl_, values, mail, &result.review_reasons));
    }
  }
  if (!impl_->config.record.empty()) {
    result.record = json::object();
    for (const auto& [key, ref] : impl_->config.record) result.record[key] = values.Get(ref);
    if (impl_->schema) {
      for (const auto& e : impl_->schema->Validate(result.record)) result.record_errors.push_back(e.ToString());
      result.record_valid = result.record_errors.empty();
    }
  }
  result.status = result.review_reasons.empty() ? "answered" : "review";
  result.ms = MsSince(t0);
  return result;
}

}  // namespace kolibri::worker
