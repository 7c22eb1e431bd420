// BM25 retrieval over the store's FTS5 index, with query-term pruning (see
// kolibri/document_store.h). Query text is tokenised by the index's own FTS5 tokenizer
// (porter over unicode61), so document frequencies are looked up for exactly the terms
// FTS5 will match.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "kolibri/document_store.h"
#include "store/sqlite_handle.h"

namespace kolibri::store {

// One distinct query term: the token as indexed, and the query word it came from.
struct QueryTerm {
  std::string token;
  std::string word;
  int64_t doc_frequency = -1;  // chunks containing it; -1 when not looked up
};

class Retriever {
 public:
  // `db` must outlive the Retriever and hold the schema with chunks_fts.
  static Result<std::unique_ptr<Retriever>> Create(Connection* db);
  ~Retriever();

  // Distinct terms of `query` in order of first appearance.
  Result<std::vector<QueryTerm>> Terms(const std::string& query);
  // The FTS5 MATCH expression (terms OR'ed) that Retrieve would run; empty when no terms.
  Result<std::string> MatchExpression(const std::string& query, const RetrieveOptions& options);
  Result<std::vector<RetrievedChunk>> Retrieve(const std::string& query, int k,
                                               const RetrieveOptions& options);
  // The BM25 ranking alone: (chunk rowid, score), best first.
  Result<std::vector<std::pair<int64_t, double>>> Rank(const std::string& query, int k,
                                                       const RetrieveOptions& options);
  // The chunk stored under `rowid`; false when it is gone.
  Result<bool> Fetch(int64_t rowid, RetrievedChunk* out);
  // Forgets cached counts; call after this connection writes (data_version only tracks others).
  void Invalidate() { cached_count_ = -1; }

 private:
  explicit Retriever(Connection* db);
  Result<int64_t> ChunkCount();
  Connection* db_;
  struct Tokenizer;
  std::unique_ptr<Tokenizer> tokenizer_;
  Statement vocab_;
  Statement search_;
  Statement fetch_;
  int64_t cached_count_ = -1;
  // Chunk frequency per term: fts5vocab counts it by reading the term's whole posting list
  // (as slow as ranking it), so it is kept until another commit changes the index.
  std::unordered_map<std::string, int64_t> frequency_cache_;
  int64_t cached_version_ = -1;
};

}  // namespace kolibri::store
