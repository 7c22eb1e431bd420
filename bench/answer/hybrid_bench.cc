// Hybrid retrieval benchmark, two parts in one run:
//
//  1. recall@5 of BM25 vs hybrid (BM25 + vectors, RRF k=60) through tasks::SourceIndex on a
//     generated corpus (bench/retrieval's SyntheticCorpus), chunk vectors computed with
//     --embedding-model through EmbedPendingChunks; queries are sentences generated from a
//     document's topic and held out of its text; a hit is any of the top 5 chunks belonging
//     to that document.
//  2. latency of DocumentStore::RetrieveHybrid at --chunks chunks with synthetic unit
//     vectors of --dim dimensions (the query vector is its document's first chunk vector
//     plus noise), interleaved with BM25 alone so both see the same load.
//
//   bench_hybrid --embedding-model E [--docs 1000] [--queries 300] [--chunks 100000]
//                [--dim 384] [--latency-queries 200] [--workdir /tmp/kolibri-hybrid-bench]
//                [--out bench/results/hybrid.json] [--reuse 1]
// --docs 0 skips part 1; --reuse 1 measures part 2 on the index a previous run left (the
// corpus and vectors are regenerated deterministically, not written again).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../retrieval/synthetic_corpus.h"
#include "kolibri/chunker.h"
#include "kolibri/document_store.h"
#include "kolibri/embedder.h"
#include "kolibri/engine_info.h"
#include "kolibri/model.h"
#include "kolibri/tasks/source_index.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string embedding_model;
  int docs = 1000;
  int queries = 300;
  int chunks = 100000;
  int dim = 384;
  int latency_queries = 200;
  std::string workdir = "/tmp/kolibri-hybrid-bench";
  std::string out = "bench/results/hybrid.json";
  bool reuse = false;  // --reuse 1: keep the latency index a previous run left in --workdir
};

double Ms(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5))];
}

nlohmann::json Summary(const std::vector<double>& ms, int hits, size_t n) {
  return {{"recall_at_5", static_cast<double>(hits) / static_cast<double>(n)}, {"p50_ms", Percentile(ms, 0.5)},
          {"p95_ms", Percentile(ms, 0.95)}, {"p99_ms", Percentile(ms, 0.99)}, {"queries", n}};
}

struct Query {
  std::string text;
  std::string document_id;
};

// Makes document `i` of the corpus as the ingest pipeline would store it.
kolibri::Document MakeDocument(kolibri::bench::SyntheticCorpus& corpus, int i, std::string* held_out) {
  const kolibri::bench::SyntheticDocument sd = corpus.Make(250 + (i * 7919) % 200);
  kolibri::Document d;
  d.id = d.source_path = "/generated/doc" + std::to_string(i) + ".txt";
  d.title = sd.title;
  d.text = sd.title + "\n\n";
  d.headings.push_back({0, sd.title.size(), 1});
  for (const auto& para : sd.paragraphs) {
    std::string p;
    for (const auto& s : para) p += (p.empty() ? "" : " ") + s;
    d.text += p + "\n\n";
  }
  d.text.resize(d.text.size() - 2);
  d.content_hash = kolibri::Sha256Hex(d.text);
  d.chunks = kolibri::ChunkDocument(d);
  *held_out = sd.held_out;
  return d;
}

bool Hit(const std::vector<kolibri::RetrievedChunk>& found, const std::string& document_id) {
  return std::any_of(found.begin(), found.end(), [&](const auto& c) { return c.document_id == document_id; });
}

#define CHECK_OK(expr)                                                        \
  do {                                                                        \
    const auto& _s = (expr);                                                 \
    if (!_s.ok()) {                                                           \
      std::fprintf(stderr, "%s: %s\n", #expr, _s.status().ToString().c_str()); \
      std::exit(1);                                                           \
    }                                                                         \
  } while (0)

nlohmann::json RecallPart(const Args& a) {
  const std::string db = a.workdir + "/recall.db";
  kolibri::bench::SyntheticCorpus corpus(11);
  std::vector<Query> all;
  {
    auto store = kolibri::DocumentStore::Open(db);
    CHECK_OK(store);
    for (int i = 0; i < a.docs; ++i) {
      std::string held_out;
      kolibri::Document d = MakeDocument(corpus, i, &held_out);
      all.push_back({held_out, d.id});
      if (auto s = (*store)->ReplaceSource(d.source_path, d.content_hash, {d}); !s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        std::exit(1);
      }
    }
    auto model = kolibri::Model::Load(a.embedding_model, kolibri::ModelOptions{});
    CHECK_OK(model);
    auto embedder = kolibri::Embedder::Create(*model, kolibri::EmbedderOptions{.threads = 1, .truncate = true});
    CHECK_OK(embedder);
    const auto t0 = Clock::now();
    auto embedded = kolibri::tasks::EmbedPendingChunks(**store, **embedder);
    CHECK_OK(embedded);
    std::fprintf(stderr, "embedded %lld chunks in %.1f s\n", static_cast<long long>(*embedded), Ms(t0) / 1000);
  }
  auto model = kolibri::Model::Load(a.embedding_model, kolibri::ModelOptions{});
  CHECK_OK(model);
  auto embedder = kolibri::Embedder::Create(*model, kolibri::EmbedderOptions{.threads = 1, .truncate = true});
  CHECK_OK(embedder);
  auto bm25 = kolibri::tasks::SourceIndex::Open(db, nullptr);
  CHECK_OK(bm25);
  auto hybrid = kolibri::tasks::SourceIndex::Open(db, std::shared_ptr<kolibri::Embedder>(std::move(*embedder)));
  CHECK_OK(hybrid);
  std::vector<double> ms[2];
  int hits[2] = {0, 0};
  const size_t n = std::min<size_t>(static_cast<size_t>(a.queries), all.size());
  for (size_t i = 0; i < n; ++i) {
    const Query& q = all[i * all.size() / n];
    kolibri::tasks::SourceIndex* idx[2] = {bm25->get(), hybrid->get()};
    for (int v = 0; v < 2; ++v) {
      const auto t0 = Clock::now();
      auto found = idx[v]->Search(q.text, {.k = 5});
      ms[v].push_back(Ms(t0));
      CHECK_OK(found);
      hits[v] += Hit(found->chunks, q.document_id);
    }
  }
  auto stats = kolibri::DocumentStore::Open(db, {.create = false});
  CHECK_OK(stats);
  return {{"corpus", "generated (SyntheticCorpus seed 11): " + std::to_string(a.docs) +
                         " documents of 250-450 words; queries are held-out sentences of sampled documents"},
          {"chunks", (*stats)->Stats()->chunks},
          {"embedding_model", fs::path(a.embedding_model).filename().string()},
          {"bm25", Summary(ms[0], hits[0], n)},
          {"hybrid", Summary(ms[1], hits[1], n)}};
}

std::vector<float> UnitVector(std::mt19937_64& rng, int dim) {
  std::normal_distribution<float> g(0, 1);
  std::vector<float> v(static_cast<size_t>(dim));
  double norm = 0;
  for (float& x : v) {
    x = g(rng);
    norm += static_cast<double>(x) * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

nlohmann::json LatencyPart(const Args& a) {
  const std::string db = a.workdir + "/latency.db";
  const bool reuse = a.reuse && fs::exists(db);
  auto opened = kolibri::DocumentStore::Open(db);
  CHECK_OK(opened);
  kolibri::DocumentStore& store = **opened;
  if (auto s = store.SetEmbeddingModel({"synthetic-" + std::to_string(a.dim), "synthetic", a.dim}); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::exit(1);
  }
  kolibri::bench::SyntheticCorpus corpus(13);
  std::mt19937_64 rng(5);
  std::vector<Query> all;
  std::vector<std::vector<float>> first_vector;
  int64_t chunks = 0;
  const auto t0 = Clock::now();
  for (int i = 0; chunks < a.chunks; ++i) {
    std::string held_out;
    kolibri::Document d = MakeDocument(corpus, i, &held_out);
    if (auto s = reuse ? kolibri::Status::Ok() : store.ReplaceSource(d.source_path, d.content_hash, {d}); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      std::exit(1);
    }
    std::vector<std::pair<std::string, std::vector<float>>> vectors;
    for (const auto& c : d.chunks) vectors.emplace_back(c.id, UnitVector(rng, a.dim));
    first_vector.push_back(vectors.front().second);
    if (auto s = reuse ? kolibri::Status::Ok() : store.PutEmbeddings(vectors); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      std::exit(1);
    }
    chunks += static_cast<int64_t>(d.chunks.size());
    all.push_back({held_out, d.id});
  }
  const double build_s = Ms(t0) / 1000;
  std::fprintf(stderr, "built %lld chunks with vectors in %.1f s\n", static_cast<long long>(chunks), build_s);
  const size_t n = static_cast<size_t>(a.latency_queries);
  std::vector<size_t> picks;
  for (size_t i = 0; i < n; ++i) picks.push_back(i * all.size() / n);
  std::normal_distribution<float> noise(0, 1.0f / std::sqrt(static_cast<float>(a.dim)));
  auto query_vector = [&](size_t doc) {
    std::vector<float> v = first_vector[doc];
    double norm = 0;
    for (float& x : v) {
      x += noise(rng);
      norm += static_cast<double>(x) * x;
    }
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    return v;
  };
  const auto tw = Clock::now();
  for (size_t i = 0; i < 20; ++i) {  // warm-up: the vector index loads, BM25 caches term counts
    CHECK_OK(store.RetrieveHybrid(all[picks[i]].text, query_vector(picks[i]), 5));
    CHECK_OK(store.Retrieve(all[picks[i]].text, 5));
  }
  const double warmup_s = Ms(tw) / 1000;
  std::vector<double> ms[2];
  int hits[2] = {0, 0};
  for (size_t p : picks) {
    const std::vector<float> qv = query_vector(p);
    auto t = Clock::now();
    auto h = store.RetrieveHybrid(all[p].text, qv, 5);
    ms[1].push_back(Ms(t));
    CHECK_OK(h);
    hits[1] += Hit(*h, all[p].document_id);
    t = Clock::now();
    auto b = store.Retrieve(all[p].text, 5);
    ms[0].push_back(Ms(t));
    CHECK_OK(b);
    hits[0] += Hit(*b, all[p].document_id);
  }
  return {{"chunks", chunks},
          {"reused_index", reuse},
          {"documents", all.size()},
          {"dimension", a.dim},
          {"vectors", "synthetic unit vectors; the query vector is its document's first chunk vector plus Gaussian "
                      "noise (cosine ~0.7), so the vector side finds it"},
          {"build_seconds", build_s},
          {"warmup_seconds_20_queries", warmup_s},
          {"bm25", Summary(ms[0], hits[0], n)},
          {"hybrid", Summary(ms[1], hits[1], n)}};
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--embedding-model") a.embedding_model = v;
    else if (k == "--docs") a.docs = std::stoi(v);
    else if (k == "--queries") a.queries = std::stoi(v);
    else if (k == "--chunks") a.chunks = std::stoi(v);
    else if (k == "--dim") a.dim = std::stoi(v);
    else if (k == "--latency-queries") a.latency_queries = std::stoi(v);
    else if (k == "--workdir") a.workdir = v;
    else if (k == "--out") a.out = v;
    else if (k == "--reuse") a.reuse = v == "1";
    else return std::fprintf(stderr, "unknown option %s\n", k.c_str()), 2;
  }
  if ((a.embedding_model.empty() && a.docs > 0) || a.latency_queries < 20) {
    std::fprintf(stderr, "usage: bench_hybrid --embedding-model E [--docs N] [--chunks N] ...\n");
    return 2;
  }
  kolibri::SetLlamaLogVerbosity(-1);
  if (!a.reuse) fs::remove_all(a.workdir);
  for (const char* f : {"/recall.db", "/recall.db-wal", "/recall.db-shm"}) fs::remove(a.workdir + f);
  fs::create_directories(a.workdir);
  nlohmann::json out = {{"machine_note", "2 shared cores, other engineers building at the same time"}};
  if (a.docs > 0) out["recall"] = RecallPart(a);
  out["latency"] = LatencyPart(a);
  fs::create_directories(fs::path(a.out).parent_path());
  std::ofstream(a.out) << out.dump(2) << "\n";
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
