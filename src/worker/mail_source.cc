#include "kolibri/worker/mail_source.h"

#include <algorithm>
#include <filesystem>

#include "kolibri/ingest.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;

bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool Blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
}

// "Name <addr>" -> "Name"; "addr" -> "addr".
std::string DisplayName(const std::string& from) {
  const size_t lt = from.find('<');
  std::string name = lt == std::string::npos ? from : from.substr(0, lt);
  while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
  while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.erase(0, 1);
  if (name.empty() && lt != std::string::npos) {
    const size_t gt = from.find('>', lt);
    name = from.substr(lt + 1, gt == std::string::npos ? std::string::npos : gt - lt - 1);
  }
  return name;
}

bool InMaildir(const fs::path& file) {
  const fs::path parent = file.parent_path();
  const std::string name = parent.filename().string();
  return (name == "cur" || name == "new") && fs::is_directory(parent.parent_path() / "cur") &&
         fs::is_directory(parent.parent_path() / "new");
}

// A parsed document as a MailItem, with the checks every source shares.
MailItem ItemFromDocument(Document&& d, std::string fallback_id) {
  MailItem m;
  m.source = d.id;
  m.subject = d.title;
  m.from = d.sender;
  m.from_name = DisplayName(d.sender);
  m.body_text = std::move(d.body);
  m.text = std::move(d.text);
  m.attachments = std::move(d.attachments);
  m.id = d.message_id;
  if (m.id.empty()) {
    m.id = std::move(fallback_id);
    m.derived_id = true;
  }
  if (d.kind != DocumentKind::kEmail) {
    m.problem = "not an e-mail (read as " + std::string(DocumentKindName(d.kind)) + ")";
  } else if (Blank(m.body_text)) {
    m.problem = "empty body";
  } else if (!ValidUtf8(m.body_text) || !ValidUtf8(m.subject) || !ValidUtf8(m.from)) {
    m.problem = "text is not valid UTF-8 after decoding";
  }
  return m;
}

MailItem BadItem(const std::string& id, const std::string& source, const Status& why) {
  MailItem bad;
  bad.id = id;
  bad.source = source;
  bad.problem = why.message();
  return bad;
}

void ReadFile(const fs::path& file, const MailSourceOptions& options, std::vector<MailItem>* out) {
  IngestOptions io;
  io.max_file_bytes = options.max_file_bytes;
  const bool maildir = InMaildir(file);
  auto docs = IngestFile(file.string(), io, maildir);
  if (!docs.ok()) {
    out->push_back(BadItem(file.string(), file.string(), docs.status()));
    return;
  }
  for (size_t i = 0; i < docs->size(); ++i) {
    Document& d = (*docs)[i];
    std::string derived =
        "derived-" + d.content_hash.substr(0, 32) + (docs->size() > 1 ? "-" + std::to_string(i + 1) : "");
    out->push_back(ItemFromDocument(std::move(d), std::move(derived)));
  }
}

}  // namespace

MailItem MailItemFromMessage(std::string_view rfc822, const std::string& source, const std::string& fallback_id,
                             const MailSourceOptions& options) {
  IngestOptions io;
  io.max_file_bytes = options.max_file_bytes;
  auto docs = IngestEmailBytes(source, rfc822, io);
  if (!docs.ok()) return BadItem(fallback_id, source, docs.status());
  return ItemFromDocument(std::move(docs->front()), fallback_id);
}

Result<std::vector<MailItem>> ReadMailSource(const std::string& path, const MailSourceOptions& options) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound("input " + path + " does not exist");
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const std::string name = it->path().filename().string();
      const bool maildir_tmp = it->is_directory() && name == "tmp" && fs::is_directory(it->path().parent_path() / "cur");
      if (name.starts_with(".") || maildir_tmp) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      // A dangling link or unreadable file is kept so that it is reported, not lost.
      if (!it->is_regular_file() && !it->is_symlink()) continue;
      const std::string ext = it->path().extension().string();
      // In a plain directory only mail files count (READMEs and gold files stay out).
      if (ext == ".eml" || ext == ".mbox" || InMaildir(it->path())) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  std::vector<MailItem> items;
  for (const auto& f : files) ReadFile(f, options, &items);
  return items;
}

}  // namespace kolibri::worker
