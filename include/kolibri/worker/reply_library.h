// The reply library: standard replies a worker may propose, one Markdown file each
// (`<dir>/<id>.md`) with YAML front matter:
//
//   ---
//   id: order_status_de
//   title: Bestellstatus mitteilen
//   language: de
//   categories: [order_status]
//   placeholders: {required: [order_id], optional: [customer_name, tracking_id]}
//   ---
//   Guten Tag {{customer_name|liebe Kundin, lieber Kunde}}, ... {{order_id}} ...
//
// `{{name}}` is a required placeholder, `{{name|fallback}}` an optional one whose fallback
// stands in when the field has no value. Values are inserted literally in one pass (a value
// that itself looks like a placeholder is never expanded). A reply is never free text: the
// only words in a proposal are the file's and the extracted fields' values.
//
// Thread safety: immutable after Load; Fill may run concurrently.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::worker {

struct Reply {
  std::string id;
  std::string title;
  std::string language;
  std::vector<std::string> categories;
  std::vector<std::string> required;  // placeholders that must have a value
  std::vector<std::string> optional;
  std::string body;                   // the Markdown after the front matter
};

struct FilledReply {
  bool ok = false;                  // every required placeholder had a value
  std::string text;                 // the reply with placeholders filled (when ok)
  nlohmann::json facts = nlohmann::json::object();  // placeholder -> value used (null: fallback)
  std::vector<std::string> missing;  // required placeholders without a value
};

class ReplyLibrary {
 public:
  // Reads every *.md in `dir`. InvalidArgument ("file: why") for a file without front
  // matter, with an id other than its file name, or whose placeholders differ from the
  // ones its body uses; NotFound when `dir` is missing.
  static Result<ReplyLibrary> Load(const std::string& dir);

  const Reply* Find(const std::string& id) const;
  size_t size() const { return replies_.size(); }

  // Fills `reply` from `fields` (an object; a placeholder's value is the field's string, a
  // number's text, or none for null, missing, empty or other types).
  static FilledReply Fill(const Reply& reply, const nlohmann::json& fields);

 private:
  std::map<std::string, Reply> replies_;
};

}  // namespace kolibri::worker
