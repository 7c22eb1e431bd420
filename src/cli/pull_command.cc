// `kolibri pull NAME|URL`: downloads a GGUF model into a models directory, with a progress
// bar, resume of interrupted downloads, and a SHA-256 check against the checksum the server
// publishes for the file or one the user gives.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/command.h"
#include "kolibri/download.h"
#include "kolibri/gguf_file.h"

namespace kolibri::cli {
namespace {

namespace fs = std::filesystem;

struct CatalogueEntry {
  const char* name;
  const char* what;
  const char* repo;  // Hugging Face owner/repo
  const char* file;
};

// Small instruct models that suit Kolibri's tasks, smallest first, and one embedding model.
// Files are the publishers' own GGUF conversions; checksums come from the server at pull time.
constexpr CatalogueEntry kCatalogue[] = {
    {"smollm2-360m", "SmolLM2-360M-Instruct q8_0 (≈0.4 GB)", "HuggingFaceTB/SmolLM2-360M-Instruct-GGUF",
     "smollm2-360m-instruct-q8_0.gguf"},
    {"qwen2.5-0.5b", "Qwen2.5-0.5B-Instruct q4_k_m (≈0.4 GB)", "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
     "qwen2.5-0.5b-instruct-q4_k_m.gguf"},
    {"gemma3-1b", "Gemma-3-1B-it q4_k_m (≈0.8 GB)", "ggml-org/gemma-3-1b-it-GGUF", "gemma-3-1b-it-Q4_K_M.gguf"},
    {"llama3.2-1b", "Llama-3.2-1B-Instruct q4_k_m (≈0.8 GB)", "bartowski/Llama-3.2-1B-Instruct-GGUF",
     "Llama-3.2-1B-Instruct-Q4_K_M.gguf"},
    {"qwen2.5-1.5b", "Qwen2.5-1.5B-Instruct q4_k_m (≈1.1 GB)", "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
     "qwen2.5-1.5b-instruct-q4_k_m.gguf"},
    {"smollm2-1.7b", "SmolLM2-1.7B-Instruct q4_k_m (≈1.1 GB)", "HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF",
     "smollm2-1.7b-instruct-q4_k_m.gguf"},
    {"qwen2.5-3b", "Qwen2.5-3B-Instruct q4_k_m (≈2.1 GB)", "Qwen/Qwen2.5-3B-Instruct-GGUF",
     "qwen2.5-3b-instruct-q4_k_m.gguf"},
    {"llama3.2-3b", "Llama-3.2-3B-Instruct q4_k_m (≈2.0 GB)", "bartowski/Llama-3.2-3B-Instruct-GGUF",
     "Llama-3.2-3B-Instruct-Q4_K_M.gguf"},
    {"bge-small-en", "bge-small-en-v1.5 q8_0 embeddings (≈0.04 GB)", "CompendiumLabs/bge-small-en-v1.5-gguf",
     "bge-small-en-v1.5-q8_0.gguf"},
};

struct PullOptions {
  std::string what;
  std::string dir;
  std::string sha256;
  std::string output;
  bool list = false;
  bool force = false;
};

std::string HfEndpoint() {
  const char* e = std::getenv("HF_ENDPOINT");
  std::string s = e != nullptr && *e != '\0' ? e : "https://huggingface.co";
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string DefaultDir() {
  if (const char* d = std::getenv("KOLIBRI_MODELS"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x != '\0') return std::string(x) + "/kolibri/models";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') return std::string(h) + "/.local/share/kolibri/models";
  return "models";
}

// NAME from the catalogue, hf:OWNER/REPO/FILE, a huggingface.co blob/resolve URL, or any
// http(s) URL → the URL to fetch.
Result<std::string> ResolveUrl(const std::string& what) {
  for (const auto& e : kCatalogue) {
    if (what == e.name) return HfEndpoint() + "/" + e.repo + "/resolve/main/" + e.file;
  }
  if (what.rfind("hf:", 0) == 0 || what.rfind("hf://", 0) == 0) {
    const std::string rest = what.substr(what.rfind("hf://", 0) == 0 ? 5 : 3);
    const size_t a = rest.find('/');
    const size_t b = a == std::string::npos ? a : rest.find('/', a + 1);
    if (b == std::string::npos || b + 1 >= rest.size()) {
      return Status::InvalidArgument("'" + what + "' is not hf:OWNER/REPO/FILE.gguf");
    }
    return HfEndpoint() + "/" + rest.substr(0, b) + "/resolve/main/" + rest.substr(b + 1);
  }
  if (what.rfind("http://", 0) == 0 || what.rfind("https://", 0) == 0) {
    std::string url = what;
    if (const size_t p = url.find("/blob/"); p != std::string::npos && url.find("huggingface.co/") != std::string::npos) {
      url.replace(p, 6, "/resolve/");  // the web page of a file → the file
    }
    return url;
  }
  std::string names;
  for (const auto& e : kCatalogue) names += std::string(names.empty() ? "" : ", ") + e.name;
  return Status::InvalidArgument("unknown model '" + what + "': give a catalogue name (" + names +
                                 "), hf:OWNER/REPO/FILE.gguf or an http(s) URL (see --list)");
}

std::string FileNameOf(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::string name = path.substr(path.find_last_of('/') + 1);
  return name.empty() ? "model.gguf" : name;
}

void PrintProgress(const DownloadProgress& p, bool tty) {
  static int last_decile = -1;
  const double mib = p.received / 1048576.0;
  const double rate = p.bytes_per_second / 1048576.0;
  if (p.total > 0) {
    const double frac = static_cast<double>(p.received) / static_cast<double>(p.total);
    const double eta = p.bytes_per_second > 0 ? (p.total - p.received) / p.bytes_per_second : 0;
    if (tty) {
      const int width = 30;
      const int filled = static_cast<int>(frac * width);
      std::fprintf(stderr, "\r[%.*s%*s] %5.1f%% %8.1f/%.1f MiB %6.1f MiB/s ETA %4.0fs ", filled,
                   "##############################", width - filled, "", 100 * frac, mib, p.total / 1048576.0,
                   rate, eta);
    } else if (static_cast<int>(frac * 10) != last_decile) {
      last_decile = static_cast<int>(frac * 10);
      std::fprintf(stderr, "%3.0f%% %.1f/%.1f MiB %.1f MiB/s ETA %.0fs\n", 100 * frac, mib, p.total / 1048576.0,
                   rate, eta);
    }
  } else if (tty) {
    std::fprintf(stderr, "\r%8.1f MiB %6.1f MiB/s ", mib, rate);
  }
  std::fflush(stderr);
}

Status RunPull(const PullOptions& o) {
  if (o.list) {
    std::printf("%-14s %-48s %s\n", "name", "model", "source");
    for (const auto& e : kCatalogue) std::printf("%-14s %-48s hf:%s/%s\n", e.name, e.what, e.repo, e.file);
    return Status::Ok();
  }
  if (o.what.empty()) return Status::InvalidArgument("name a model or URL to pull (see --list)");
  KOLIBRI_ASSIGN_OR_RETURN(std::string url, ResolveUrl(o.what));
  const std::string dir = o.dir.empty() ? DefaultDir() : o.dir;
  const std::string name = o.output.empty() ? FileNameOf(url) : o.output;
  if (name.find('/') != std::string::npos || name == ".." || name == ".") {
    return Status::InvalidArgument("--output must be a file name, not a path: '" + name + "'");
  }
  const std::string dest = (fs::path(dir) / name).string();
  std::error_code ec;
  if (fs::exists(dest, ec) && !o.force) {
    return Status::AlreadyExists("'" + dest + "' exists; pass --force to download it again");
  }
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  std::fprintf(stderr, "pulling %s\n     -> %s\n", url.c_str(), dest.c_str());
  DownloadOptions d;
  d.url = url;
  d.dest_path = dest + ".download";  // renamed to `dest` once checked as GGUF
  d.expected_sha256 = o.sha256;
  d.on_progress = [tty](const DownloadProgress& p) { PrintProgress(p, tty); };
  auto r = DownloadFile(d);
  if (tty) std::fprintf(stderr, "\n");
  KOLIBRI_RETURN_IF_ERROR(r.status());
  auto header = GgufFile::Open(d.dest_path);
  if (!header.ok()) {
    fs::remove(d.dest_path, ec);
    return Status::Corrupt("the downloaded file is not a usable GGUF model (" + header.status().message() +
                           "); removed");
  }
  fs::rename(d.dest_path, dest, ec);
  if (ec) return Status::IoError("cannot rename to '" + dest + "': " + ec.message());
  std::printf("model    %s\nbytes    %llu\nsha256   %s\nverified %s\n", dest.c_str(),
              static_cast<unsigned long long>(r->bytes), r->sha256.c_str(),
              r->checksum_source.empty() ? "no (the server publishes no checksum and none was given: pass --sha256)"
                                         : ("yes, against the checksum " + r->checksum_source).c_str());
  if (r->resumed) std::printf("resumed  yes (%d attempts)\n", r->attempts);
  return Status::Ok();
}

}  // namespace

void RegisterPullCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<PullOptions>();
  CLI::App* cmd = root.add_subcommand("pull", "Download a GGUF model (catalogue name, hf:OWNER/REPO/FILE or URL)");
  cmd->add_option("model", o->what, "Catalogue name, hf:OWNER/REPO/FILE.gguf, or an http(s) URL");
  cmd->add_option("--dir", o->dir, "Models directory (default $KOLIBRI_MODELS or ~/.local/share/kolibri/models)");
  cmd->add_option("--sha256", o->sha256, "Expected SHA-256 of the file (else the server's published one)");
  cmd->add_option("--output", o->output, "File name in the models directory (default: the URL's)");
  cmd->add_flag("--force", o->force, "Download again when the file exists");
  cmd->add_flag("--list", o->list, "List the catalogue of recommended models");
  cmd->callback([o, run] { *run = [o] { return RunPull(*o); }; });
}

}  // namespace kolibri::cli
