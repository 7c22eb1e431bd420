// Labelled text examples read from CSV or JSONL files: the training and evaluation input of
// the tier-0 classifier (`kolibri train-router`, `kolibri classify --eval`) and the output
// format of the review queue's export.
//
// Formats, chosen by content (not by file name):
//  - JSONL: every non-blank line is a JSON object holding string fields named by
//    `text_column` and `label_column`, or a two-element array `[text, label]` (CLINC150's
//    pairs, so `jq -c '.train[]' train_val.json` converts that file).
//  - CSV (RFC 4180): a header row naming the columns, fields separated by commas, fields in
//    double quotes may hold commas, line breaks and doubled quotes (""); CRLF or LF endings.
// A file whose first non-blank character is '{' or '[' is read as JSONL, anything else as CSV.
//
// Errors (Status): kNotFound for a missing file; kInvalidArgument for an empty file, a
// missing column, a row with the wrong number of fields, an empty label, or a malformed line
// — always naming the file and the line. Thread safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

struct LabelledText {
  std::string text;
  std::string label;
};

struct LabelledDataOptions {
  std::string text_column = "text";    // CSV header / JSON key of the input text
  std::string label_column = "label";  // CSV header / JSON key of the gold label
};

// Reads all examples of `path`. An example with an empty text is kept (the classifier sees
// no features and predicts its prior); an empty label is an error.
Result<std::vector<LabelledText>> ReadLabelledData(const std::string& path,
                                                   const LabelledDataOptions& options = {});

// Parses file content already in memory; `source_name` names it in error messages.
Result<std::vector<LabelledText>> ParseLabelledData(std::string_view content,
                                                    std::string_view source_name,
                                                    const LabelledDataOptions& options = {});

// One CSV record split into fields (quotes removed). Exposed for tests and other readers.
// `line` counts from 1 and is advanced past the record (records may span lines).
Result<std::vector<std::string>> ParseCsvRecord(std::string_view content, size_t* pos,
                                                size_t* line);

// Indices of examples kept / held out by a seeded stratified split: every label with two or
// more examples holds out round(fraction × count) of them, at least one, keeping at least
// one; a label with one example stays on the kept side. Within each side, indices ascend
// label by label (labels in byte order). Same input, fraction and seed: same split.
using LabelledSplit = std::pair<std::vector<size_t>, std::vector<size_t>>;
LabelledSplit StratifiedSplit(const std::vector<LabelledText>& examples, double fraction,
                              uint64_t seed);

// Writes examples as JSONL objects {"text":..., "label":...} (keys from `options`).
std::string FormatLabelledJsonl(const std::vector<LabelledText>& examples,
                                const LabelledDataOptions& options = {});

}  // namespace kolibri
