#include "synthetic_corpus.h"

#include <algorithm>
#include <cmath>

namespace kolibri::bench {
namespace {

// Rank -> a pronounceable, unique pseudo-word (syllables in base 30).
std::string WordFor(int rank) {
  static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "su", "ta", "vo", "ri", "pe", "du",
                                     "go", "ba", "fi", "ze", "hu", "ja", "co", "wy", "xa", "qi",
                                     "ro", "ny", "tu", "sa", "le", "mo", "ki", "de", "po", "ga"};
  std::string w;
  int n = rank + 30;  // at least two syllables
  while (n > 0) {
    w += kSyllables[n % 30];
    n /= 30;
  }
  return w + (rank % 3 == 0 ? "n" : rank % 3 == 1 ? "r" : "x");
}

}  // namespace

SyntheticCorpus::SyntheticCorpus(uint64_t seed, int vocabulary) : rng_(seed) {
  double total = 0;
  for (int r = 0; r < vocabulary; ++r) {
    words_.push_back(WordFor(r));
    total += 1.0 / std::pow(r + 1, 1.07);
    cdf_.push_back(total);
  }
  for (double& c : cdf_) c /= total;
}

std::string SyntheticCorpus::Sentence(const std::vector<int>& topic) {
  std::uniform_int_distribution<int> length(8, 18);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<size_t> pick(0, topic.size() - 1);
  const int n = length(rng_);
  std::string s;
  for (int i = 0; i < n; ++i) {
    int rank;
    if (u(rng_) < 0.2) rank = topic[pick(rng_)];
    else rank = static_cast<int>(std::lower_bound(cdf_.begin(), cdf_.end(), u(rng_)) - cdf_.begin());
    rank = std::min(rank, static_cast<int>(words_.size()) - 1);
    std::string w = words_[rank];
    if (i == 0) w[0] = static_cast<char>(w[0] - 'a' + 'A');
    s += (i == 0 ? "" : " ") + w;
  }
  return s + ".";
}

SyntheticDocument SyntheticCorpus::Make(int words) {
  std::uniform_int_distribution<int> topic_rank(1500, static_cast<int>(words_.size()) - 1);
  std::vector<int> topic;
  for (int i = 0; i < 15; ++i) topic.push_back(topic_rank(rng_));
  SyntheticDocument doc;
  doc.title = words_[topic[0]] + " " + words_[topic[1]];
  doc.title[0] = static_cast<char>(doc.title[0] - 'a' + 'A');
  std::uniform_int_distribution<int> per_paragraph(3, 6);
  int count = 0;
  while (count < words) {
    std::vector<std::string> paragraph;
    const int n = per_paragraph(rng_);
    for (int i = 0; i < n && count < words; ++i) {
      paragraph.push_back(Sentence(topic));
      count += static_cast<int>(std::count(paragraph.back().begin(), paragraph.back().end(), ' ')) + 1;
    }
    doc.paragraphs.push_back(std::move(paragraph));
  }
  doc.held_out = Sentence(topic);
  return doc;
}

}  // namespace kolibri::bench
