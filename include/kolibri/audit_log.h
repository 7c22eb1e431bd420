// The audit log: one row per decision a cascade tier took on an input — answered,
// escalated (and why), or failed — so every answer can be traced to the tier, model and
// task version that gave it, and every escalation to its reason.
//
// Backends: AuditLog is an interface; Open picks SQLite for a file path (the embedded
// default, WAL) or PostgreSQL for a "postgresql://" / "postgres://" URI (one log shared by
// several replicas). Both keep one table `audit_entries`: id, time (Unix ms), request id, task, task
// version, input hash ("sha256:<hex>" — never the input text), tier, model, outcome
// ("answered" | "escalated" | "error"), label, record (JSON text), confidence, latency (ms),
// detail (why it escalated or failed). The label and record are the results the cascade
// gave, so retention (PruneBefore) and erasure (ForgetInput) here cover stored results too.
// Schemas are versioned and migrated on Open; a newer one is refused with kUnsupported.
//
// Thread safety: an AuditLog may be used from several threads; several processes may
// append to the same file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

struct AuditEntry {
  int64_t id = 0;          // assigned by Append
  int64_t time_ms = 0;     // assigned by Append when 0
  std::string request_id;  // ties the entries of one cascade run together
  std::string task;
  std::string task_version;
  std::string input_hash;
  std::string tier;
  std::string model;
  std::string outcome;  // "answered", "escalated", "error"
  std::string label;
  std::string record_json;  // "" when none
  double confidence = 0;
  double latency_ms = 0;
  std::string detail;
};

struct AuditFilter {
  std::string request_id;  // "" = any
  std::string task;        // "" = any
  std::string input_hash;  // "" = any
  int64_t limit = 1000;    // newest last
};

class AuditLog {
 public:
  // `location`: an SQLite file path (":memory:" allowed) or a PostgreSQL URI.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& location, int busy_timeout_ms = 5000);
  virtual ~AuditLog() = default;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends `entry` and returns its id. InvalidArgument for a missing task, tier or outcome,
  // or a record that is not JSON.
  virtual Result<int64_t> Append(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> List(const AuditFilter& filter) = 0;
  // Removes every entry about one input (right to erasure); returns how many.
  virtual Result<int64_t> ForgetInput(const std::string& input_hash) = 0;
  // Retention: removes entries older than `cutoff_ms` (Unix ms); returns how many.
  virtual Result<int64_t> PruneBefore(int64_t cutoff_ms) = 0;

 protected:
  AuditLog() = default;
};

// "sha256:<64 hex>" of a text, the form both the audit log and the review queue store.
std::string AuditInputHash(const std::string& text);

}  // namespace kolibri
