#include "kolibri/labelled_data.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "router/split_mix.h"

namespace kolibri {
namespace {

std::string Where(std::string_view source, size_t line) {
  return std::string(source) + ":" + std::to_string(line);
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Result<std::vector<LabelledText>> ParseJsonl(std::string_view content, std::string_view source,
                                             const LabelledDataOptions& options) {
  std::vector<LabelledText> out;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (IsBlank(line)) continue;
    // nlohmann throws on malformed input; the exception stays inside this module.
    nlohmann::json j =
        nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return Status::InvalidArgument(Where(source, line_no) + ": not a JSON value");
    }
    LabelledText ex;
    if (j.is_array()) {
      if (j.size() != 2 || !j[0].is_string() || !j[1].is_string()) {
        return Status::InvalidArgument(Where(source, line_no) +
                                       ": an array line must be [text, label] with two strings");
      }
      ex.text = j[0].get<std::string>();
      ex.label = j[1].get<std::string>();
    } else if (j.is_object()) {
      auto text = j.find(options.text_column);
      auto label = j.find(options.label_column);
      if (text == j.end() || !text->is_string()) {
        return Status::InvalidArgument(Where(source, line_no) + ": no string field '" +
                                       options.text_column + "' (see --text-column)");
      }
      if (label == j.end() || !(label->is_string() || label->is_number_integer())) {
        return Status::InvalidArgument(Where(source, line_no) + ": no string field '" +
                                       options.label_column + "' (see --label-column)");
      }
      ex.text = text->get<std::string>();
      ex.label = label->is_string() ? label->get<std::string>() : label->dump();
    } else {
      return Status::InvalidArgument(Where(source, line_no) +
                                     ": expected a JSON object or a [text, label] array");
    }
    if (ex.label.empty()) return Status::InvalidArgument(Where(source, line_no) + ": empty label");
    out.push_back(std::move(ex));
  }
  return out;
}

Result<std::vector<LabelledText>> ParseCsv(std::string_view content, std::string_view source,
                                           const LabelledDataOptions& options) {
  size_t pos = 0;
  size_t line = 1;
  if (content.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 byte order mark
  auto header = ParseCsvRecord(content, &pos, &line);
  if (!header.ok()) return header.status().WithContext(source);
  int text_index = -1;
  int label_index = -1;
  for (size_t i = 0; i < header->size(); ++i) {
    if ((*header)[i] == options.text_column) text_index = static_cast<int>(i);
    if ((*header)[i] == options.label_column) label_index = static_cast<int>(i);
  }
  std::string columns;
  for (const std::string& h : *header) columns += (columns.empty() ? "" : ", ") + h;
  if (text_index < 0) {
    return Status::InvalidArgument(std::string(source) + ": no column '" + options.text_column +
                                   "' in the header (columns: " + columns + "; see --text-column)");
  }
  if (label_index < 0) {
    return Status::InvalidArgument(std::string(source) + ": no column '" + options.label_column +
                                   "' in the header (columns: " + columns +
                                   "; see --label-column)");
  }
  std::vector<LabelledText> out;
  while (pos < content.size()) {
    const size_t record_line = line;
    size_t probe = pos;
    while (probe < content.size() && (content[probe] == '\r' || content[probe] == '\n')) {
      if (content[probe] == '\n') ++line;
      ++probe;
    }
    if (probe != pos) {  // blank lines between records
      pos = probe;
      continue;
    }
    auto fields = ParseCsvRecord(content, &pos, &line);
    if (!fields.ok()) return fields.status().WithContext(source);
    if (fields->size() != header->size()) {
      return Status::InvalidArgument(Where(source, record_line) + ": " +
                                     std::to_string(fields->size()) + " fields, the header has " +
                                     std::to_string(header->size()));
    }
    LabelledText ex{std::move((*fields)[text_index]), std::move((*fields)[label_index])};
    if (ex.label.empty())
      return Status::InvalidArgument(Where(source, record_line) + ": empty label");
    out.push_back(std::move(ex));
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> ParseCsvRecord(std::string_view content, size_t* pos,
                                                size_t* line) {
  std::vector<std::string> fields;
  std::string field;
  const size_t start_line = *line;
  size_t i = *pos;
  bool quoted = false;
  bool was_quoted =
      false;  // the current field was quoted (text after the closing quote is an error)
  while (true) {
    if (i >= content.size()) {
      if (quoted) {
        return Status::InvalidArgument("line " + std::to_string(start_line) +
                                       ": a quoted field is not closed before the end of the file");
      }
      fields.push_back(std::move(field));
      break;
    }
    const char c = content[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < content.size() && content[i + 1] == '"') {
          field += '"';
          i += 2;
        } else {
          quoted = false;
          ++i;
        }
      } else {
        if (c == '\n') ++*line;
        field += c;
        ++i;
      }
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      ++i;
    } else if (c == '\n' || c == '\r') {
      fields.push_back(std::move(field));
      if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
      ++i;
      ++*line;
      break;
    } else if (c == '"') {
      if (!field.empty() || was_quoted) {
        return Status::InvalidArgument("line " + std::to_string(*line) +
                                       ": a quote inside an unquoted field (quote the whole field "
                                       "and double the inner quotes)");
      }
      quoted = true;
      was_quoted = true;
      ++i;
    } else {
      if (was_quoted) {
        return Status::InvalidArgument("line " + std::to_string(*line) +
                                       ": text after the closing quote of a field");
      }
      field += c;
      ++i;
    }
  }
  *pos = i;
  return fields;
}

Result<std::vector<LabelledText>> ParseLabelledData(std::string_view content,
                                                    std::string_view source_name,
                                                    const LabelledDataOptions& options) {
  const size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return Status::InvalidArgument(std::string(source_name) + ": the file is empty");
  }
  const bool jsonl = content[first] == '{' || content[first] == '[';
  auto examples =
      jsonl ? ParseJsonl(content, source_name, options) : ParseCsv(content, source_name, options);
  if (examples.ok() && examples->empty()) {
    return Status::InvalidArgument(std::string(source_name) + ": no examples (only a header?)");
  }
  return examples;
}

Result<std::vector<LabelledText>> ReadLabelledData(const std::string& path,
                                                   const LabelledDataOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("data file '" + path + "' not found or not readable");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError("reading '" + path + "' failed");
  return ParseLabelledData(buffer.str(), path, options);
}

LabelledSplit StratifiedSplit(const std::vector<LabelledText>& examples, double fraction,
                              uint64_t seed) {
  std::map<std::string_view, std::vector<size_t>> by_label;
  for (size_t i = 0; i < examples.size(); ++i) by_label[examples[i].label].push_back(i);
  router::SplitMix rng(seed);
  LabelledSplit split;
  for (auto& [label, ids] : by_label) {
    rng.Shuffle(&ids);
    size_t held = 0;
    if (ids.size() >= 2) {
      held = static_cast<size_t>(std::lround(fraction * static_cast<double>(ids.size())));
      held = std::clamp<size_t>(held, 1, ids.size() - 1);
    }
    std::sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(held));
    std::sort(ids.begin() + static_cast<std::ptrdiff_t>(held), ids.end());
    split.second.insert(split.second.end(), ids.begin(),
                        ids.begin() + static_cast<std::ptrdiff_t>(held));
    split.first.insert(split.first.end(), ids.begin() + static_cast<std::ptrdiff_t>(held),
                       ids.end());
  }
  return split;
}

std::string FormatLabelledJsonl(const std::vector<LabelledText>& examples,
                                const LabelledDataOptions& options) {
  std::string out;
  for (const LabelledText& ex : examples) {
    nlohmann::json j = {{options.text_column, ex.text}, {options.label_column, ex.label}};
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

}  // namespace kolibri
