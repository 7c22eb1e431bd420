// Resumable HTTP(S) file download with SHA-256 verification (libcurl; module `net`).
// Used by `kolibri pull` for GGUF models.
//
// The checksum is never invented: it is the one the caller gives, or the one the server
// publishes for the file (Hugging Face's `X-Linked-ETag` on LFS files, or an
// `X-Checksum-Sha256` header), or none — then the result says the file is unverified.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kolibri/status.h"

namespace kolibri {

struct DownloadProgress {
  uint64_t received = 0;  // bytes on disk, including what an earlier attempt left
  uint64_t total = 0;     // 0 when the server does not say
  double seconds = 0;     // since this call started
  double bytes_per_second = 0;
};

struct DownloadOptions {
  std::string url;
  std::string dest_path;            // the final file; the partial one is dest_path + ".part"
  std::string expected_sha256;      // lowercase hex; empty: the server's published checksum
  int max_attempts = 6;             // a dropped connection resumes where it stopped
  int connect_timeout_s = 20;
  int stall_timeout_s = 60;         // give up an attempt after this long below 1 KiB/s
  double retry_backoff_s = 1.0;     // doubled after each failed attempt
  std::function<void(const DownloadProgress&)> on_progress;  // called at most ~10 times/s
};

struct DownloadResult {
  std::string path;
  uint64_t bytes = 0;
  std::string sha256;
  std::string checksum_source;  // "given", "server" or "" (unverified)
  bool resumed = false;         // continued a .part file left by an earlier run or attempt
  int attempts = 0;
};

// Downloads `url` to `dest_path`. Errors: InvalidArgument (bad URL or checksum syntax),
// NotFound (HTTP 404/410), Unavailable (network errors after all attempts, HTTP 5xx),
// PermissionDenied (401/403: a gated model needs a token — HF_TOKEN is sent when set),
// Corrupt (checksum mismatch: the partial file is removed), IoError (disk).
Result<DownloadResult> DownloadFile(const DownloadOptions& options);

}  // namespace kolibri
