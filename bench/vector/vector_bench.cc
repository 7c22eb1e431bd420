// bench_vector [--chunks N] [--dim D] [--queries Q] [--k K] [--out F.json]
// Exact top-k inner-product search (VectorIndex) over N random unit vectors: build time,
// memory, and query latency (p50/p95/p99) with one thread and with all threads.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "kolibri/vector_index.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<float> RandomUnit(std::mt19937& rng, int dim) {
  std::normal_distribution<float> n(0, 1);
  std::vector<float> v(static_cast<size_t>(dim));
  double norm = 0;
  for (float& x : v) {
    x = n(rng);
    norm += x * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  int chunks = 100000, dim = 384, queries = 200, k = 10;
  std::string out = "bench/results/vector.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--chunks") chunks = std::stoi(argv[i + 1]);
    else if (a == "--dim") dim = std::stoi(argv[i + 1]);
    else if (a == "--queries") queries = std::stoi(argv[i + 1]);
    else if (a == "--k") k = std::stoi(argv[i + 1]);
    else if (a == "--out") out = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_vector [--chunks N] [--dim D] [--queries Q] [--k K] [--out F.json]\n");
      return 2;
    }
  }
  std::mt19937 rng(1);
  kolibri::VectorIndex index(dim);
  auto t0 = Clock::now();
  for (int i = 0; i < chunks; ++i) {
    if (!index.Add(i, RandomUnit(rng, dim)).ok()) return 1;
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const int hw = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  nlohmann::json result = {{"chunks", chunks}, {"dim", dim}, {"k", k}, {"queries", queries},
                           {"build_seconds", build_s},
                           {"memory_mib", static_cast<double>(chunks) * dim * 4 / 1048576.0},
                           {"hardware_threads", hw}};
  for (int threads : {1, hw}) {
    std::vector<double> ms;
    for (int q = 0; q < queries; ++q) {
      auto query = RandomUnit(rng, dim);
      auto s = Clock::now();
      auto hits = index.Search(query, static_cast<size_t>(k), threads);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      if (!hits.ok() || hits->size() != static_cast<size_t>(k)) return 1;
    }
    result["threads_" + std::to_string(threads)] = {
        {"p50_ms", Percentile(ms, 0.5)}, {"p95_ms", Percentile(ms, 0.95)}, {"p99_ms", Percentile(ms, 0.99)}};
    std::printf("threads %d: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n", threads, Percentile(ms, 0.5),
                Percentile(ms, 0.95), Percentile(ms, 0.99));
  }
  std::ofstream(out) << result.dump(2) << "\n";
  std::printf("%d vectors of %d dims (%.0f MiB), built in %.2f s; wrote %s\n", chunks, dim,
              chunks * dim * 4 / 1048576.0, build_s, out.c_str());
  return 0;
}
