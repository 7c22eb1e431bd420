// `kolibri review add|list|claim|resolve|export --db FILE`: the human review queue from the
// command line. `export` writes resolved items as labelled JSONL, the input of
// `kolibri train-router`, closing the loop that retrains the tier-0 classifier.
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "kolibri/labelled_data.h"
#include "kolibri/review_queue.h"

namespace kolibri::cli {
namespace {

struct ReviewOptions {
  std::string db;
  std::string task;
  std::string status = "open";
  int64_t limit = 100;
  int64_t id = 0;
  std::string reviewer;
  std::string label;
  std::string record;
  std::string text;
  std::string proposed = "null";
  double confidence = 0;
  std::string tier;
  std::string key;
  std::string out;
  bool records = false;
  bool json = false;
};

nlohmann::json ItemJson(const ReviewItem& it) {
  nlohmann::json proposed = nlohmann::json::parse(it.proposed_json, nullptr, false);
  nlohmann::json j = {
      {"id", it.id},
      {"task", it.task},
      {"idempotency_key", it.idempotency_key},
      {"input_hash", it.input_hash},
      {"input_text", it.input_text},
      {"proposed", proposed.is_discarded() ? nlohmann::json(it.proposed_json) : proposed},
      {"confidence", it.confidence},
      {"tier", it.tier},
      {"status", ReviewStatusName(it.status)},
      {"created_at", it.created_at}};
  if (it.status != ReviewStatus::kOpen) {
    j["claimed_by"] = it.claimed_by;
    j["claimed_at"] = it.claimed_at;
  }
  if (it.status == ReviewStatus::kResolved) {
    if (!it.resolution_label.empty()) j["label"] = it.resolution_label;
    if (!it.resolution_json.empty())
      j["record"] = nlohmann::json::parse(it.resolution_json, nullptr, false);
    j["resolved_by"] = it.resolved_by;
    j["resolved_at"] = it.resolved_at;
  }
  return j;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void PrintItem(const ReviewItem& it, bool json) {
  if (json) {
    std::printf("%s\n", Dump(ItemJson(it)).c_str());
    return;
  }
  std::printf("#%lld  %s  %s  tier=%s  confidence=%.3f%s\n  %s\n  proposed: %s\n",
              static_cast<long long>(it.id), it.task.c_str(), ReviewStatusName(it.status),
              it.tier.c_str(), it.confidence,
              it.claimed_by.empty() ? "" : ("  by " + it.claimed_by).c_str(), it.input_text.c_str(),
              it.proposed_json.c_str());
  if (it.status == ReviewStatus::kResolved) {
    std::printf("  resolution: %s%s%s\n", it.resolution_label.c_str(),
                it.resolution_label.empty() || it.resolution_json.empty() ? "" : " ",
                it.resolution_json.c_str());
  }
}

Result<std::unique_ptr<ReviewQueue>> OpenQueue(const ReviewOptions& o) {
  return ReviewQueue::Open(o.db);
}

Status RunAdd(const ReviewOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(auto queue, OpenQueue(o));
  KOLIBRI_ASSIGN_OR_RETURN(const EnqueueResult r, queue->Enqueue({.task = o.task,
                                                                  .input_text = o.text,
                                                                  .proposed_json = o.proposed,
                                                                  .confidence = o.confidence,
                                                                  .tier = o.tier,
                                                                  .idempotency_key = o.key}));
  if (o.json)
    std::printf("%s\n", Dump({{"id", r.id}, {"created", r.created}}).c_str());
  else
    std::printf("%s review item #%lld\n",
                r.created ? "added" : "already queued:", static_cast<long long>(r.id));
  return Status::Ok();
}

Status RunList(const ReviewOptions& o) {
  ReviewFilter filter{.task = o.task, .limit = o.limit};
  if (o.status != "all") {
    filter.status = ParseReviewStatus(o.status);
    if (!filter.status)
      return Status::InvalidArgument("--status must be open, claimed, resolved or all");
  }
  KOLIBRI_ASSIGN_OR_RETURN(auto queue, OpenQueue(o));
  KOLIBRI_ASSIGN_OR_RETURN(const std::vector<ReviewItem> items, queue->List(filter));
  if (o.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const ReviewItem& it : items) arr.push_back(ItemJson(it));
    std::printf("%s\n", Dump({{"items", arr}}).c_str());
    return Status::Ok();
  }
  for (const ReviewItem& it : items) PrintItem(it, false);
  if (items.empty()) std::printf("no %s review items\n", o.status == "all" ? "" : o.status.c_str());
  return Status::Ok();
}

Status RunClaim(const ReviewOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(auto queue, OpenQueue(o));
  KOLIBRI_ASSIGN_OR_RETURN(const ReviewItem it, queue->Claim(o.reviewer, o.id, o.task));
  PrintItem(it, o.json);
  return Status::Ok();
}

Status RunResolve(const ReviewOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(auto queue, OpenQueue(o));
  KOLIBRI_ASSIGN_OR_RETURN(const ReviewItem it,
                           queue->Resolve(o.id, o.reviewer, o.label, o.record));
  PrintItem(it, o.json);
  return Status::Ok();
}

Status RunExport(const ReviewOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(auto queue, OpenQueue(o));
  KOLIBRI_ASSIGN_OR_RETURN(const std::vector<ReviewItem> items, queue->Resolved(o.task));
  std::string text;
  size_t written = 0;
  if (o.records) {
    for (const ReviewItem& it : items) {
      if (it.resolution_json.empty()) continue;
      text += Dump({{"text", it.input_text},
                    {"record", nlohmann::json::parse(it.resolution_json, nullptr, false)},
                    {"task", it.task}}) +
              "\n";
      ++written;
    }
  } else {
    std::vector<LabelledText> examples;
    for (const ReviewItem& it : items) {
      if (!it.resolution_label.empty()) examples.push_back({it.input_text, it.resolution_label});
    }
    text = FormatLabelledJsonl(examples);
    written = examples.size();
  }
  if (o.out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return Status::Ok();
  }
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return Status::IoError("cannot write '" + o.out + "'");
  std::fprintf(stderr, "exported %zu resolved item(s) to %s\n", written, o.out.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterReviewCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<ReviewOptions>();
  CLI::App* cmd =
      root.add_subcommand("review", "The human review queue: add, list, claim, resolve, export");
  cmd->require_subcommand(1);
  auto sub = [&](const char* name, const char* help, Status (*fn)(const ReviewOptions&)) {
    CLI::App* s = cmd->add_subcommand(name, help);
    s->add_option("--db", o->db, "Review queue database (SQLite; created when missing)")
        ->required();
    s->add_flag("--json", o->json, "JSON output");
    s->callback([run, o, fn] { *run = [o, fn] { return fn(*o); }; });
    return s;
  };
  CLI::App* add = sub("add", "Queue an item for review (idempotent)", RunAdd);
  add->add_option("--task", o->task, "Task name")->required();
  add->add_option("--text", o->text, "Input text")->required();
  add->add_option("--proposed", o->proposed, "The escalating tier's answer, JSON");
  add->add_option("--confidence", o->confidence, "Its confidence")->check(CLI::Range(0.0, 1.0));
  add->add_option("--tier", o->tier, "The tier that escalated");
  add->add_option("--key", o->key, "Idempotency key (default: task and input hash)");

  CLI::App* list = sub("list", "List items, oldest first", RunList);
  list->add_option("--status", o->status, "open, claimed, resolved or all")->capture_default_str();
  list->add_option("--task", o->task, "Only this task");
  list->add_option("--limit", o->limit, "At most this many")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));

  CLI::App* claim = sub("claim", "Claim an item (by --id, or the oldest open one)", RunClaim);
  claim->add_option("--reviewer", o->reviewer, "Who claims it")->required();
  claim->add_option("--id", o->id, "The item (default: the oldest open one)")
      ->check(CLI::PositiveNumber);
  claim->add_option("--task", o->task, "With no --id: only this task");

  CLI::App* resolve =
      sub("resolve", "Resolve an item with a label and/or a JSON record", RunResolve);
  resolve->add_option("--id", o->id, "The item")->required()->check(CLI::PositiveNumber);
  resolve->add_option("--reviewer", o->reviewer, "Who resolves it")->required();
  resolve->add_option("--label", o->label, "The right label");
  resolve->add_option("--record", o->record, "The right record, JSON");

  CLI::App* exp = sub("export", "Resolved items as labelled JSONL (train-router input)", RunExport);
  exp->add_option("--task", o->task, "Only this task");
  exp->add_option("--out", o->out, "Write here instead of stdout");
  exp->add_flag("--records", o->records,
                "Export {text, record} lines of resolved records instead of labels");
}

}  // namespace kolibri::cli
