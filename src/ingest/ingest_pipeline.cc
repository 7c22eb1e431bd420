// Walking paths, reading files under the size limit, and turning them into chunked
// documents. See kolibri/ingest.h.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "ingest/extracted_text.h"
#include "ingest/source_format.h"
#include "kolibri/ingest.h"

namespace kolibri {
namespace {

namespace fs = std::filesystem;

struct SourceBytes {
  std::string bytes;
  std::string hash;
  std::string mtime;  // ISO 8601 UTC, the fallback date
};

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string UtcStamp(std::time_t t) {
  char buf[32];
  struct tm tm_utc;
  gmtime_r(&t, &tm_utc);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
  return buf;
}

Result<SourceBytes> ReadSource(const std::string& path, const IngestOptions& options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("no such file");
    return Status::IoError(std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::Unsupported("not a regular file");
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size > options.max_file_bytes) {
    return Status::OutOfRange("file is " + Mib(size) + ", above the size limit of " +
                              Mib(options.max_file_bytes));
  }
  if (size == 0) return Status::Unsupported("empty file (0 bytes), nothing to index");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == EACCES) return Status::PermissionDenied("cannot read: permission denied");
    return Status::IoError(std::string("cannot open: ") + std::strerror(err));
  }
  SourceBytes src;
  src.bytes.resize(size);
  in.read(src.bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) return Status::IoError("read was cut short");
  src.hash = Sha256Hex(src.bytes);
  src.mtime = UtcStamp(st.st_mtime);
  return src;
}

DocumentKind KindOf(ingest::SourceFormat f) {
  switch (f) {
    case ingest::SourceFormat::kText: return DocumentKind::kText;
    case ingest::SourceFormat::kMarkdown: return DocumentKind::kMarkdown;
    case ingest::SourceFormat::kHtml: return DocumentKind::kHtml;
    case ingest::SourceFormat::kPdf: return DocumentKind::kPdf;
    case ingest::SourceFormat::kEmail:
    case ingest::SourceFormat::kMbox: return DocumentKind::kEmail;
  }
  return DocumentKind::kText;
}

Result<std::vector<ingest::ExtractedText>> Extract(ingest::SourceFormat format, std::string_view bytes) {
  std::vector<ingest::ExtractedText> texts;
  switch (format) {
    case ingest::SourceFormat::kText: texts.push_back(ingest::PlainToText(bytes)); break;
    case ingest::SourceFormat::kMarkdown: texts.push_back(ingest::MarkdownToText(bytes)); break;
    case ingest::SourceFormat::kHtml: texts.push_back(ingest::HtmlToText(bytes)); break;
    case ingest::SourceFormat::kPdf: {
      KOLIBRI_ASSIGN_OR_RETURN(ingest::ExtractedText t, ingest::PdfToText(bytes));
      texts.push_back(std::move(t));
      break;
    }
    case ingest::SourceFormat::kEmail: {
      KOLIBRI_ASSIGN_OR_RETURN(ingest::ExtractedText t, ingest::EmailToText(bytes));
      texts.push_back(std::move(t));
      break;
    }
    case ingest::SourceFormat::kMbox: return ingest::MboxToTexts(bytes);
  }
  return texts;
}

Result<std::vector<Document>> ParseSource(const std::string& path, const SourceBytes& src,
                                          const IngestOptions& options, bool maildir_message) {
  const std::string_view head = std::string_view(src.bytes).substr(0, 8192);
  KOLIBRI_ASSIGN_OR_RETURN(ingest::SourceFormat format, ingest::DetectFormat(path, head, maildir_message));
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<ingest::ExtractedText> texts, Extract(format, src.bytes));
  std::vector<Document> docs;
  for (size_t i = 0; i < texts.size(); ++i) {
    ingest::ExtractedText& t = texts[i];
    if (t.text.empty()) continue;
    Document doc;
    doc.id = format == ingest::SourceFormat::kMbox ? path + "#" + std::to_string(i + 1) : path;
    doc.source_path = path;
    doc.kind = KindOf(format);
    doc.title = t.title.empty() ? fs::path(path).filename().string() : std::move(t.title);
    doc.date = t.date.empty() ? src.mtime : std::move(t.date);
    doc.content_hash = src.hash;
    doc.text = std::move(t.text);
    doc.headings = std::move(t.headings);
    doc.attachments = std::move(t.attachments);
    doc.message_id = std::move(t.message_id);
    doc.sender = std::move(t.sender);
    doc.body = std::move(t.body);
    doc.chunks = ChunkDocument(doc, options.chunking);
    docs.push_back(std::move(doc));
  }
  if (docs.empty()) return Status::Unsupported("no text found in the file");
  return docs;
}

std::string Normalise(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec) return path;
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

struct FileToRead {
  std::string path;
  bool maildir_message = false;
};

bool IsMaildir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "cur", ec) && fs::is_directory(dir / "new", ec);
}

// Appends the files under `dir` (sorted, hidden entries skipped) or a failed outcome.
void Walk(const fs::path& dir, std::vector<FileToRead>* files, std::vector<FileOutcome>* failures,
          int depth) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) {
    failures->push_back({dir.string(), FileAction::kFailed,
                         Status::IoError("cannot read folder: " + ec.message())});
    return;
  }
  std::sort(entries.begin(), entries.end());
  const bool maildir = IsMaildir(dir);
  for (const fs::path& p : entries) {
    const std::string name = p.filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (fs::is_directory(p, ec)) {
      if (maildir && name == "tmp") continue;  // messages being delivered, not yet complete
      if (depth < 64) Walk(p, files, failures, depth + 1);
      continue;
    }
    const bool in_maildir = (name.size() > 0) && IsMaildir(dir.parent_path()) &&
                            (dir.filename() == "cur" || dir.filename() == "new");
    files->push_back({p.string(), in_maildir});
  }
}

}  // namespace

Result<std::vector<Document>> IngestFile(const std::string& path, const IngestOptions& options,
                                         bool maildir_message) {
  const std::string normal = Normalise(path);
  KOLIBRI_ASSIGN_OR_RETURN(SourceBytes src, ReadSource(normal, options));
  return ParseSource(normal, src, options, maildir_message);
}

Result<std::vector<Document>> IngestEmailBytes(const std::string& name, std::string_view bytes,
                                               const IngestOptions& options) {
  if (bytes.size() > options.max_file_bytes) {
    return Status::OutOfRange("message is " + Mib(bytes.size()) + ", above the size limit of " +
                              Mib(options.max_file_bytes));
  }
  if (bytes.empty()) return Status::Unsupported("empty message (0 bytes)");
  SourceBytes src;
  src.bytes = std::string(bytes);
  src.hash = Sha256Hex(src.bytes);
  src.mtime = UtcStamp(std::time(nullptr));
  return ParseSource(name, src, options, /*maildir_message=*/true);
}

Result<IngestReport> IngestPaths(const std::vector<std::string>& paths, const IngestOptions& options,
                                 const IngestSink& sink,
                                 const std::function<void(const FileOutcome&)>& on_file) {
  IngestReport report;
  auto record = [&](FileOutcome outcome) {
    switch (outcome.action) {
      case FileAction::kAdded: ++report.added; break;
      case FileAction::kUnchanged: ++report.unchanged; break;
      case FileAction::kFailed: ++report.failed; break;
    }
    if (on_file) on_file(outcome);
    report.files.push_back(std::move(outcome));
  };
  for (const std::string& raw : paths) {
    const std::string path = Normalise(raw);
    std::error_code ec;
    std::vector<FileToRead> files;
    std::vector<FileOutcome> failures;
    if (!fs::exists(path, ec)) {
      record({path, FileAction::kFailed, Status::NotFound("no such file or folder")});
      continue;
    }
    if (fs::is_directory(path, ec)) {
      Walk(path, &files, &failures, 0);
    } else {
      const fs::path parent = fs::path(path).parent_path();
      const bool in_maildir = (parent.filename() == "cur" || parent.filename() == "new") &&
                              IsMaildir(parent.parent_path());
      files.push_back({path, in_maildir});
    }
    for (FileOutcome& f : failures) record(std::move(f));
    for (const FileToRead& file : files) {
      FileOutcome outcome{file.path, FileAction::kFailed, Status(), 0, 0};
      Result<SourceBytes> src = ReadSource(file.path, options);
      if (!src.ok()) {
        outcome.status = src.status();
        record(std::move(outcome));
        continue;
      }
      KOLIBRI_ASSIGN_OR_RETURN(bool current, sink.is_current(file.path, src->hash));
      if (current) {
        outcome.action = FileAction::kUnchanged;
        record(std::move(outcome));
        continue;
      }
      Result<std::vector<Document>> docs = ParseSource(file.path, *src, options, file.maildir_message);
      if (!docs.ok()) {
        outcome.status = docs.status();
        record(std::move(outcome));
        continue;
      }
      KOLIBRI_RETURN_IF_ERROR(sink.replace(file.path, src->hash, *docs));
      outcome.action = FileAction::kAdded;
      outcome.documents = static_cast<int>(docs->size());
      for (const Document& d : *docs) outcome.chunks += static_cast<int>(d.chunks.size());
      record(std::move(outcome));
    }
  }
  return report;
}

}  // namespace kolibri
