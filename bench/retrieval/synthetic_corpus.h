// A generated corpus for the retrieval benchmark: pseudo-words with a Zipf distribution
// (like natural language: a few very common words, a long tail of rare ones), and per
// document a set of topic words, so a sentence held out of a document still points at it
// the way a real question points at the passage that answers it. Deterministic per seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kolibri::bench {

struct SyntheticDocument {
  std::string title;
  std::vector<std::vector<std::string>> paragraphs;  // sentences per paragraph
  std::string held_out;                              // a sentence not in the paragraphs
};

class SyntheticCorpus {
 public:
  SyntheticCorpus(uint64_t seed, int vocabulary = 30000);
  // A document of about `words` words in paragraphs of 3-6 sentences.
  SyntheticDocument Make(int words);

 private:
  std::string Sentence(const std::vector<int>& topic);
  std::mt19937_64 rng_;
  std::vector<std::string> words_;
  std::vector<double> cdf_;
};

}  // namespace kolibri::bench
