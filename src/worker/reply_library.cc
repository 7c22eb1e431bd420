#include "kolibri/worker/reply_library.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;

struct Placeholder {
  size_t begin = 0;  // of "{{"
  size_t end = 0;    // after "}}"
  std::string name;
  bool optional = false;
  std::string fallback;
};

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Every {{name}} / {{name|fallback}} in `body`, in order.
std::vector<Placeholder> Placeholders(const std::string& body) {
  std::vector<Placeholder> out;
  size_t pos = 0;
  while ((pos = body.find("{{", pos)) != std::string::npos) {
    const size_t close = body.find("}}", pos + 2);
    if (close == std::string::npos) break;
    const std::string inner = body.substr(pos + 2, close - pos - 2);
    const size_t bar = inner.find('|');
    Placeholder p{pos, close + 2, inner.substr(0, bar), bar != std::string::npos,
                  bar != std::string::npos ? inner.substr(bar + 1) : ""};
    if (!p.name.empty() && std::all_of(p.name.begin(), p.name.end(), IsNameChar)) {
      out.push_back(std::move(p));
      pos = close + 2;
    } else {
      pos += 2;
    }
  }
  return out;
}

std::vector<std::string> Names(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence()) {
    for (const auto& e : n) out.push_back(e.as<std::string>());
  }
  return out;
}

Result<Reply> ReadReply(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::IoError(path.string() + ": cannot read");
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  const std::string where = path.string() + ": ";
  if (!text.starts_with("---\n")) return Status::InvalidArgument(where + "no front matter (--- ... ---)");
  const size_t end = text.find("\n---\n", 3);
  if (end == std::string::npos) return Status::InvalidArgument(where + "the front matter is not closed by ---");
  Reply r;
  try {
    const YAML::Node meta = YAML::Load(text.substr(4, end - 3));
    if (!meta.IsMap()) return Status::InvalidArgument(where + "the front matter is not a mapping");
    r.id = meta["id"] ? meta["id"].as<std::string>() : "";
    r.title = meta["title"] ? meta["title"].as<std::string>() : "";
    r.language = meta["language"] ? meta["language"].as<std::string>() : "";
    r.categories = Names(meta["categories"]);
    if (const YAML::Node p = meta["placeholders"]) {
      r.required = Names(p["required"]);
      r.optional = Names(p["optional"]);
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(where + "front matter line " + std::to_string(e.mark.line + 2) + ": " + e.msg);
  }
  if (r.id != path.stem().string()) {
    return Status::InvalidArgument(where + "id '" + r.id + "' differs from the file name");
  }
  r.body = text.substr(end + 5);
  std::set<std::string> used_required, used_optional;
  for (const auto& p : Placeholders(r.body)) (p.optional ? used_optional : used_required).insert(p.name);
  if (used_required != std::set<std::string>(r.required.begin(), r.required.end()) ||
      used_optional != std::set<std::string>(r.optional.begin(), r.optional.end())) {
    return Status::InvalidArgument(where + "placeholders: required/optional in the front matter differ from "
                                           "the {{name}} / {{name|fallback}} the body uses");
  }
  return r;
}

// A field's value as reply text; empty when it has none.
std::string FieldText(const nlohmann::json& fields, const std::string& name) {
  if (!fields.is_object() || !fields.contains(name)) return {};
  const auto& v = fields[name];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return {};
}

}  // namespace

Result<ReplyLibrary> ReplyLibrary::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound("reply library " + dir + " is not a directory");
  ReplyLibrary lib;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    KOLIBRI_ASSIGN_OR_RETURN(Reply r, ReadReply(f));
    lib.replies_[r.id] = std::move(r);
  }
  return lib;
}

const Reply* ReplyLibrary::Find(const std::string& id) const {
  auto it = replies_.find(id);
  return it == replies_.end() ? nullptr : &it->second;
}

FilledReply ReplyLibrary::Fill(const Reply& reply, const nlohmann::json& fields) {
  FilledReply out;
  std::string text;
  size_t copied = 0;
  for (const auto& p : Placeholders(reply.body)) {
    text.append(reply.body, copied, p.begin - copied);
    copied = p.end;
    const std::string value = FieldText(fields, p.name);
    if (!value.empty()) {
      text += value;
      out.facts[p.name] = value;
    } else if (p.optional) {
      text += p.fallback;
      if (!out.facts.contains(p.name)) out.facts[p.name] = nullptr;
    } else if (std::find(out.missing.begin(), out.missing.end(), p.name) == out.missing.end()) {
      out.missing.push_back(p.name);
    }
  }
  text.append(reply.body, copied, std::string::npos);
  out.ok = out.missing.empty();
  if (out.ok) out.text = std::move(text);
  return out;
}

}  // namespace kolibri::worker
