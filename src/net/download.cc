#include "kolibri/download.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "kolibri/sha256.h"

namespace kolibri {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct CurlCleanup {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// State of one transfer attempt, shared with libcurl's callbacks.
struct Attempt {
  std::FILE* out = nullptr;
  uint64_t start_offset = 0;   // bytes already on disk when the attempt began
  uint64_t written = 0;        // bytes written by this attempt
  long status = 0;             // status of the current (last) response in the redirect chain
  uint64_t content_length = 0; // of the final response
  bool range_honoured = false; // final response is 206
  bool wrote_error = false;
  std::string published_sha256;
  const DownloadOptions* options = nullptr;
  Clock::time_point started;
  Clock::time_point last_progress;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response in the chain (redirects): reset per-response fields.
    const size_t sp = line.find(' ');
    a->status = sp == std::string::npos ? 0 : std::strtol(line.c_str() + sp + 1, nullptr, 10);
    a->content_length = 0;
    a->range_honoured = a->status == 206;
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  const std::string key = Lower(line.substr(0, colon));
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  if (key == "content-length") a->content_length = std::strtoull(value.c_str(), nullptr, 10);
  if (key == "x-linked-etag" || key == "x-checksum-sha256") {
    std::string v = value;
    if (v.rfind("W/", 0) == 0) v = v.substr(2);
    v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
    if (IsHex64(v)) a->published_sha256 = Lower(v);
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  const size_t bytes = size * n;
  if (a->status >= 300 || (a->start_offset > 0 && !a->range_honoured && a->written == 0 && a->status == 200)) {
    // Error bodies are not the file; a 200 to a range request means "from the start": the
    // caller truncates and retries, so refuse to append here.
    if (a->status >= 300) return bytes;  // swallow the error page
    return 0;
  }
  if (std::fwrite(data, 1, bytes, a->out) != bytes) {
    a->wrote_error = true;
    return 0;
  }
  a->written += bytes;
  return bytes;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* a = static_cast<Attempt*>(user);
  if (!a->options->on_progress) return 0;
  const auto now = Clock::now();
  if (now - a->last_progress < std::chrono::milliseconds(100)) return 0;
  a->last_progress = now;
  DownloadProgress p;
  p.received = a->start_offset + a->written;
  p.total = a->content_length > 0 ? a->start_offset * (a->range_honoured ? 1 : 0) + a->content_length : 0;
  p.seconds = std::chrono::duration<double>(now - a->started).count();
  p.bytes_per_second = p.seconds > 0 ? static_cast<double>(a->written) / p.seconds : 0;
  a->options->on_progress(p);
  return 0;
}

Result<std::string> HashFile(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return Status::IoError("cannot read '" + path + "': " + std::strerror(errno));
  Sha256 h;
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) h.Update(buf.data(), n);
  if (std::ferror(f.get())) return Status::IoError("reading '" + path + "' failed");
  return h.HexDigest();
}

Status HttpStatusError(long status, const std::string& url) {
  const std::string where = " for " + url;
  if (status == 404 || status == 410) return Status::NotFound("HTTP " + std::to_string(status) + where);
  if (status == 401 || status == 403) {
    return Status::PermissionDenied("HTTP " + std::to_string(status) + where +
                                    " (a gated or private file: set HF_TOKEN to an access token)");
  }
  if (status >= 500) return Status::Unavailable("HTTP " + std::to_string(status) + where);
  return Status::InvalidArgument("HTTP " + std::to_string(status) + where);
}

}  // namespace

Result<DownloadResult> DownloadFile(const DownloadOptions& options) {
  if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("'" + options.url + "' is not an http(s) URL");
  }
  if (options.dest_path.empty()) return Status::InvalidArgument("no destination path given");
  const std::string expected = Lower(options.expected_sha256);
  if (!expected.empty() && !IsHex64(expected)) {
    return Status::InvalidArgument("'" + options.expected_sha256 + "' is not a SHA-256 (64 hex digits)");
  }
  if (options.max_attempts < 1) return Status::InvalidArgument("max_attempts must be >= 1");
  GlobalInit();
  const std::string part = options.dest_path + ".part";
  std::error_code ec;
  if (fs::path parent = fs::path(options.dest_path).parent_path(); !parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) return Status::IoError("cannot create '" + parent.string() + "': " + ec.message());
  }

  DownloadResult result;
  result.path = options.dest_path;
  std::string published;
  double backoff = options.retry_backoff_s;
  const auto started = Clock::now();
  Status last = Status::Unavailable("no attempt made");
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    result.attempts = attempt;
    uint64_t have = fs::exists(part, ec) ? fs::file_size(part, ec) : 0;
    if (ec) have = 0;
    if (have > 0) result.resumed = true;
    std::unique_ptr<std::FILE, FileCloser> out(std::fopen(part.c_str(), have > 0 ? "ab" : "wb"));
    if (!out) return Status::IoError("cannot write '" + part + "': " + std::strerror(errno));

    std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
    if (!curl) return Status::Internal("libcurl could not start a transfer");
    Attempt a;
    a.out = out.get();
    a.start_offset = have;
    a.options = &options;
    a.started = started;
    std::unique_ptr<curl_slist, SlistFree> headers;
    if (const char* token = std::getenv("HF_TOKEN"); token != nullptr && *token != '\0' &&
                                                    options.url.find("huggingface.co/") != std::string::npos) {
      headers.reset(curl_slist_append(nullptr, ("Authorization: Bearer " + std::string(token)).c_str()));
    }
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, options.url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "kolibri-pull");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout_s));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.stall_timeout_s));
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &a);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    const std::string range = std::to_string(have) + "-";
    if (have > 0) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());

    const CURLcode rc = curl_easy_perform(c);
    const bool flushed = std::fflush(out.get()) == 0;
    out.reset();
    if (!a.published_sha256.empty()) published = a.published_sha256;
    if (a.wrote_error || !flushed) return Status::IoError("writing '" + part + "' failed (disk full?)");

    if (a.status == 416 && have > 0) {
      // The range starts at or past the end: the part file is already whole (or longer
      // than the file, which the checksum will catch).
      last = Status::Ok();
      break;
    }
    if (a.status == 200 && have > 0 && a.written == 0) {
      // The server ignored the range: start over from byte 0.
      fs::remove(part, ec);
      result.resumed = false;
      last = Status::Unavailable("the server does not support resuming; restarted");
      continue;
    }
    if (a.status >= 400) {
      Status s = HttpStatusError(a.status, options.url);
      if (a.status < 500) return s;  // client errors do not get better by retrying
      last = s;
    } else if (rc == CURLE_OK) {
      last = Status::Ok();
      break;
    } else {
      last = Status::Unavailable(std::string("download interrupted: ") + curl_easy_strerror(rc) + " after " +
                                 std::to_string(have + a.written) + " bytes");
    }
    if (attempt < options.max_attempts) {
      std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
      backoff *= 2;
    }
  }
  KOLIBRI_RETURN_IF_ERROR(last);

  KOLIBRI_ASSIGN_OR_RETURN(result.sha256, HashFile(part));
  result.bytes = fs::file_size(part, ec);
  std::string want = expected;
  result.checksum_source = want.empty() ? (published.empty() ? "" : "server") : "given";
  if (want.empty()) want = published;
  if (!expected.empty() && !published.empty() && expected != published) {
    // The user's checksum decides; say that the server disagrees.
    result.checksum_source = "given (the server publishes " + published + ")";
  }
  if (!want.empty() && want != result.sha256) {
    fs::remove(part, ec);
    return Status::Corrupt("checksum mismatch for " + options.url + ": expected " + want + ", got " +
                           result.sha256 + "; the partial file was removed");
  }
  fs::rename(part, options.dest_path, ec);
  if (ec) return Status::IoError("cannot rename '" + part + "' to '" + options.dest_path + "': " + ec.message());
  return result;
}

}  // namespace kolibri
