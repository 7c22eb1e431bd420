// SchemaChecker: everything a task checks about an extracted record after decoding — the
// full JSON Schema validation and the task rules: every string the schema marks
// "x-kolibri-evidence": true must occur verbatim in the input. The grammar already
// guarantees the latter; checking again is defence in depth (and covers a schema compiled
// without the input, or a changed input). Immutable, thread-safe.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/json_schema_validator.h"
#include "kolibri/status.h"

namespace kolibri::tasks {

class SchemaChecker {
 public:
  // InvalidArgument when the schema is not JSON or does not compile.
  static Result<std::shared_ptr<const SchemaChecker>> Create(const std::string& schema_text);

  // Error messages ("/order_id: ..."); empty when `record` is acceptable.
  std::vector<std::string> Check(const nlohmann::json& record, std::string_view input) const;
  // Only the evidence rule.
  std::vector<std::string> CheckEvidence(const nlohmann::json& record, std::string_view input) const;
  bool has_evidence_fields() const { return has_evidence_; }

 private:
  SchemaChecker(nlohmann::json schema, JsonSchemaValidator validator, bool has_evidence)
      : schema_(std::move(schema)), validator_(std::move(validator)), has_evidence_(has_evidence) {}
  void Walk(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
            std::string_view input, int depth, std::vector<std::string>* errors) const;
  nlohmann::json schema_;
  JsonSchemaValidator validator_;
  bool has_evidence_ = false;
};

}  // namespace kolibri::tasks
