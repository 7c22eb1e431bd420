// Evaluating a worker per candidate model. See kolibri/worker/worker_eval.h.
#include "kolibri/worker/worker_eval.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "kolibri/gguf_file.h"
#include "kolibri/memory_plan.h"
#include "kolibri/tasks/task_runner.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct GoldRow {
  json gold;
  MailItem mail;
};

Result<std::vector<GoldRow>> ReadGold(const std::string& path, int64_t limit) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("gold file " + path + " does not exist");
  const fs::path dir = fs::absolute(path).parent_path();
  std::vector<GoldRow> rows;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    if (limit > 0 && static_cast<int64_t>(rows.size()) >= limit) break;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(where + "not a JSON object");
    if (!j.contains("file") || !j["file"].is_string()) {
      return Status::InvalidArgument(where + "needs \"file\" (the mail, relative to the gold file)");
    }
    const std::string file = (dir / j["file"].get<std::string>()).string();
    auto items = ReadMailSource(file);
    if (!items.ok()) return Status::NotFound(where + items.status().message());
    if (items->size() != 1) return Status::InvalidArgument(where + file + " holds " + std::to_string(items->size()) + " mails, not one");
    rows.push_back({std::move(j), std::move((*items)[0])});
  }
  if (rows.empty()) return Status::InvalidArgument("gold file " + path + " has no rows");
  return rows;
}

std::string AsLabel(const json& v, const std::string& none) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return none;
  return v.dump();
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

void ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  if (clear) clear << "5";
}

uint64_t PeakRssBytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

ClassMetrics ScoreClassify(const std::string& step, const std::string& gold_key,
                           const std::vector<std::pair<std::string, std::string>>& pairs) {
  ClassMetrics m;
  m.step = step;
  m.gold_key = gold_key;
  m.n = static_cast<int64_t>(pairs.size());
  std::set<std::string> labels;
  int64_t right = 0;
  for (const auto& [gold, predicted] : pairs) {
    labels.insert(gold);
    labels.insert(predicted);
    ++m.confusion[gold][predicted];
    right += gold == predicted ? 1 : 0;
  }
  m.labels.assign(labels.begin(), labels.end());
  m.accuracy = m.n > 0 ? static_cast<double>(right) / static_cast<double>(m.n) : 0;
  double f1_sum = 0;
  for (const auto& l : m.labels) {
    int64_t tp = 0, fp = 0, fn = 0;
    for (const auto& [gold, predicted] : pairs) {
      tp += gold == l && predicted == l ? 1 : 0;
      fp += gold != l && predicted == l ? 1 : 0;
      fn += gold == l && predicted != l ? 1 : 0;
    }
    f1_sum += tp > 0 ? 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn) : 0;
  }
  m.macro_f1 = m.labels.empty() ? 0 : f1_sum / static_cast<double>(m.labels.size());
  return m;
}

struct Counts {
  int64_t exact = 0, tp = 0, predicted = 0, gold = 0, n = 0;
  FieldScore Score() const {
    FieldScore s;
    s.exact = n > 0 ? static_cast<double>(exact) / static_cast<double>(n) : 0;
    s.precision = predicted > 0 ? static_cast<double>(tp) / static_cast<double>(predicted) : 0;
    s.recall = gold > 0 ? static_cast<double>(tp) / static_cast<double>(gold) : 0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    return s;
  }
};

json EarlierOf(const MailResult& r) {
  json earlier = json::object();
  for (const auto& s : r.steps) {
    earlier[s.id] = {{"label", s.label.empty() ? json(nullptr) : json(s.label)}, {"record", s.record}};
  }
  return earlier;
}

ExtractMetrics ScoreExtract(const WorkerConfig& config, const StepConfig& step, const std::string& gold_key,
                            const std::vector<GoldRow>& rows, const std::vector<std::optional<MailResult>>& results) {
  ExtractMetrics m;
  m.step = step.id;
  m.gold_key = gold_key;
  const tasks::TaskDefinition* task = *config.tasks.Find(step.task);
  std::map<std::string, Counts> per_field;
  Counts all;
  int64_t valid = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!results[i]) continue;
    const StepOutcome* s = results[i]->Step(step.id);
    if (s == nullptr) continue;
    ++m.n;
    valid += s->answered ? 1 : 0;
    m.rejected += s->rejected_errors.empty() ? 0 : 1;
    const json predicted = s->record.is_object() ? s->record : json::object();
    if (s->record.is_object()) {
      const std::string input = StepInputText(config, step, rows[i].mail, EarlierOf(*results[i]));
      auto errors = tasks::CheckExtractedRecord(*task, s->record, input);
      m.evidence_violations += errors.ok() ? static_cast<int64_t>(errors->size()) : 1;
    }
    const json gold = rows[i].gold.value(gold_key, json::object());
    std::set<std::string> keys;
    for (const auto& [k, v] : gold.items()) keys.insert(k);
    for (const auto& [k, v] : predicted.items()) keys.insert(k);
    for (const auto& k : keys) {
      const json g = gold.value(k, json(nullptr));
      const json p = predicted.value(k, json(nullptr));
      for (Counts* c : {&per_field[k], &all}) {
        ++c->n;
        c->exact += g == p ? 1 : 0;
        c->gold += g.is_null() ? 0 : 1;
        c->predicted += p.is_null() ? 0 : 1;
        c->tp += !g.is_null() && g == p ? 1 : 0;
      }
    }
  }
  for (const auto& [k, c] : per_field) m.fields[k] = c.Score();
  const FieldScore total = all.Score();
  m.exact_match = total.exact;
  m.precision = total.precision;
  m.recall = total.recall;
  m.f1 = total.f1;
  m.schema_valid_rate = m.n > 0 ? static_cast<double>(valid) / static_cast<double>(m.n) : 0;
  return m;
}

void AddBar(CandidateResult* c, std::string what, double value, double bar, bool higher_is_better = true) {
  if (bar < 0) return;
  const bool ok = higher_is_better ? value >= bar : value <= bar;
  c->bars.push_back({std::move(what), value, bar, higher_is_better, ok});
}

void Score(const WorkerConfig& config, const std::vector<GoldRow>& rows,
           const std::vector<std::optional<MailResult>>& results, CandidateResult* c) {
  int64_t valid = 0, review = 0, done = 0;
  for (const auto& r : results) {
    if (!r) continue;
    ++done;
    valid += r->record_valid ? 1 : 0;
    review += r->status == "review" ? 1 : 0;
    c->latencies_ms.push_back(r->ms);
    for (const auto& s : r->steps) {
      if (s.answered) ++c->step_tiers[s.id + "/" + s.tier];
    }
  }
  c->mails = static_cast<int64_t>(rows.size());
  c->failed = c->mails - done;
  c->record_valid_rate = done > 0 ? static_cast<double>(valid) / static_cast<double>(done) : 0;
  c->escalation_rate = done > 0 ? static_cast<double>(review) / static_cast<double>(done) : 0;
  c->p50_ms = Percentile(c->latencies_ms, 0.5);
  c->p95_ms = Percentile(c->latencies_ms, 0.95);
  for (const QualityBar& q : config.quality) {
    const StepConfig* step = config.FindStep(q.step);
    if (step == nullptr) continue;
    const tasks::TaskDefinition* task = step->kind == StepKind::kTask ? *config.tasks.Find(step->task) : nullptr;
    if (task != nullptr && task->kind == tasks::TaskKind::kExtract) {
      ExtractMetrics m = ScoreExtract(config, *step, q.gold, rows, results);
      c->evidence_violations += m.evidence_violations;
      AddBar(c, q.step + " field F1", m.f1, q.min_field_f1);
      AddBar(c, q.step + " schema-valid rate", m.schema_valid_rate, q.min_schema_valid_rate);
      AddBar(c, q.step + " evidence violations", static_cast<double>(m.evidence_violations),
             static_cast<double>(q.max_evidence_violations), false);
      c->extract.push_back(std::move(m));
      continue;
    }
    const std::string none = step->kind == StepKind::kRenderReply ? step->none_label : "none";
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!results[i]) continue;
      std::string predicted = none;
      if (step->kind == StepKind::kRenderReply) {
        for (const auto& reply : results[i]->replies) {
          if (reply.step == step->id && !reply.id.empty()) predicted = reply.id;
        }
      } else if (const StepOutcome* s = results[i]->Step(step->id); s != nullptr && !s->label.empty()) {
        predicted = s->label;
      }
      pairs.emplace_back(AsLabel(rows[i].gold.value(q.gold, json(nullptr)), none), predicted);
    }
    ClassMetrics m = ScoreClassify(q.step, q.gold, pairs);
    AddBar(c, q.step + " accuracy", m.accuracy, q.min_accuracy);
    AddBar(c, q.step + " macro-F1", m.macro_f1, q.min_macro_f1);
    c->classify.push_back(std::move(m));
  }
  AddBar(c, "escalation rate", c->escalation_rate, config.max_escalation_rate, false);
  c->meets_bar = c->failed == 0 && std::all_of(c->bars.begin(), c->bars.end(), [](const BarCheck& b) { return b.ok; });
}

void PlannerFigure(const std::string& model, const PipelineOptions& p, CandidateResult* c) {
  auto gguf = GgufFile::Open(model);
  if (!gguf.ok()) {
    c->planner_note = gguf.status().message();
    return;
  }
  PlanOptions po;
  po.parallel = static_cast<uint32_t>(std::max(1, p.parallel));
  po.context = static_cast<uint32_t>(std::max(1, p.context)) * po.parallel;
  auto estimate = EstimateMemory(*gguf, {}, po);
  if (!estimate.ok()) {
    c->planner_note = estimate.status().message();
    return;
  }
  c->planner_bytes = estimate->HostTotal();
}

Result<CandidateResult> RunCandidate(const WorkerConfig& config, const EvalOptions& options, size_t index,
                                     const std::vector<GoldRow>& rows,
                                     const std::function<void(const std::string&)>& progress) {
  CandidateResult c;
  c.model = options.models[index];
  c.name = fs::path(c.model).filename().string();
  std::error_code ec;
  if (!fs::is_regular_file(c.model, ec)) return Status::NotFound("candidate model " + c.model + " does not exist");
  c.file_bytes = fs::file_size(c.model, ec);
  PipelineOptions p = options.pipeline;
  p.model = c.model;
  if (p.parallel <= 0) p.parallel = options.parallel;
  if (p.context <= 0) {
    const ModelAlias* slm = config.FindModel(ModelKind::kGguf);
    p.context = slm != nullptr ? slm->context : 4096;
  }
  p.review_db = (fs::path(options.work_dir) / ("review-" + std::to_string(index + 1) + ".sqlite")).string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.review_db + suffix, ec);
  PlannerFigure(c.model, p, &c);
  if (progress) progress("candidate " + std::to_string(index + 1) + "/" + std::to_string(options.models.size()) + ": " + c.name);
  ResetPeakRss();
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<WorkerPipeline> pipeline, WorkerPipeline::Create(config, p));
  const WorkerPipeline::Tokens before = pipeline->tokens();
  std::vector<std::optional<MailResult>> results(rows.size());
  std::atomic<size_t> next{0};
  std::mutex mu;
  const auto t0 = std::chrono::steady_clock::now();
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < rows.size();) {
      auto r = pipeline->Process(rows[i].mail);
      std::lock_guard<std::mutex> lock(mu);
      if (r.ok()) results[i] = std::move(r).value();
    }
  };
  std::vector<std::thread> threads;
  for (int32_t t = 0; t < std::max(1, options.parallel); ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const WorkerPipeline::Tokens after = pipeline->tokens();
  c.prompt_tokens = after.prompt - before.prompt;
  c.generated_tokens = after.generated - before.generated;
  if (c.seconds > 0) {
    c.prompt_tokens_per_s = static_cast<double>(c.prompt_tokens) / c.seconds;
    c.generated_tokens_per_s = static_cast<double>(c.generated_tokens) / c.seconds;
  }
  c.peak_rss_bytes = PeakRssBytes();
  pipeline.reset();
  Score(config, rows, results, &c);
  return c;
}

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

json CandidateResult::ToJson() const {
  json classify_json = json::array();
  for (const auto& m : classify) {
    classify_json.push_back({{"step", m.step}, {"gold", m.gold_key}, {"n", m.n}, {"accuracy", m.accuracy},
                             {"macro_f1", m.macro_f1}, {"labels", m.labels}, {"confusion", m.confusion}});
  }
  json extract_json = json::array();
  for (const auto& m : extract) {
    json fields_json = json::object();
    for (const auto& [k, f] : m.fields) {
      fields_json[k] = {{"exact", f.exact}, {"precision", f.precision}, {"recall", f.recall}, {"f1", f.f1}};
    }
    extract_json.push_back({{"step", m.step}, {"gold", m.gold_key}, {"n", m.n}, {"exact_match", m.exact_match},
                            {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1},
                            {"schema_valid_rate", m.schema_valid_rate}, {"evidence_violations", m.evidence_violations},
                            {"rejected", m.rejected}, {"fields", fields_json}});
  }
  json bars_json = json::array();
  for (const auto& b : bars) {
    bars_json.push_back({{"what", b.what}, {"value", b.value}, {"bar", b.bar},
                         {"direction", b.higher_is_better ? ">=" : "<="}, {"ok", b.ok}});
  }
  return {{"model", model}, {"name", name}, {"file_bytes", file_bytes}, {"planner_bytes", planner_bytes},
          {"planner_note", planner_note}, {"mails", mails}, {"failed", failed}, {"classify", classify_json},
          {"extract", extract_json}, {"record_valid_rate", record_valid_rate}, {"escalation_rate", escalation_rate},
          {"evidence_violations", evidence_violations}, {"step_tiers", step_tiers}, {"latency_ms", {{"p50", p50_ms}, {"p95", p95_ms}, {"all", latencies_ms}}},
          {"tokens", {{"prompt", prompt_tokens}, {"generated", generated_tokens},
                      {"prompt_per_s", prompt_tokens_per_s}, {"generated_per_s", generated_tokens_per_s}}},
          {"seconds", seconds}, {"peak_rss_bytes", peak_rss_bytes}, {"bars", bars_json}, {"meets_bar", meets_bar}};
}

json EvalReport::ToJson() const {
  json c = json::array();
  for (const auto& x : candidates) c.push_back(x.ToJson());
  return {{"worker", worker}, {"data", data}, {"mails", mails}, {"candidates", c},
          {"recommended", recommended >= 0 ? json(candidates[static_cast<size_t>(recommended)].model) : json(nullptr)},
          {"recommendation", recommendation}};
}

Result<EvalReport> EvaluateWorker(const WorkerConfig& config, const EvalOptions& options,
                                  const std::function<void(const std::string&)>& progress) {
  if (options.models.empty()) return Status::InvalidArgument("no candidate models: pass --model at least once");
  if (options.work_dir.empty()) return Status::InvalidArgument("no work directory for the review queues");
  if (config.quality.empty() && config.max_escalation_rate < 0) {
    return Status::InvalidArgument(config.path + " has no quality: section; eval needs the bars to check");
  }
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<GoldRow> rows, ReadGold(options.data, options.limit));
  std::error_code ec;
  fs::create_directories(options.work_dir, ec);
  EvalReport report;
  report.worker = config.path;
  report.data = options.data;
  report.mails = static_cast<int64_t>(rows.size());
  for (size_t i = 0; i < options.models.size(); ++i) {
    KOLIBRI_ASSIGN_OR_RETURN(CandidateResult c, RunCandidate(config, options, i, rows, progress));
    report.candidates.push_back(std::move(c));
  }
  auto size_of = [](const CandidateResult& c) { return c.planner_bytes > 0 ? c.planner_bytes : c.file_bytes; };
  for (size_t i = 0; i < report.candidates.size(); ++i) {
    const CandidateResult& c = report.candidates[i];
    if (!c.meets_bar) continue;
    if (report.recommended < 0 || size_of(c) < size_of(report.candidates[static_cast<size_t>(report.recommended)])) {
      report.recommended = static_cast<int>(i);
    }
  }
  if (report.recommended >= 0) {
    const CandidateResult& c = report.candidates[static_cast<size_t>(report.recommended)];
    report.recommendation = c.name + " is the smallest candidate that meets every quality bar (" +
                            Mib(size_of(c)) + (c.planner_bytes > 0 ? " planned memory)." : " file).");
  } else {
    report.recommendation = "No candidate meets the quality bar of " + fs::path(config.path).filename().string() + ":";
    for (const auto& c : report.candidates) {
      int missed = 0;
      for (const auto& b : c.bars) missed += b.ok ? 0 : 1;
      report.recommendation += " " + c.name + " misses " + std::to_string(missed) + " of " +
                               std::to_string(c.bars.size()) + " bars" +
                               (c.failed > 0 ? " and failed on " + std::to_string(c.failed) + " mails" : "") + ";";
    }
    report.recommendation.back() = '.';
  }
  return report;
}

}  // namespace kolibri::worker
