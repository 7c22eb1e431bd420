#include "store/retrieval.h"

#include <algorithm>
#include <unordered_set>

namespace kolibri::store {

// The index's tokenizer, obtained from FTS5 itself (fts5_api), so query terms are cut and
// stemmed exactly as the indexed text was.
struct Retriever::Tokenizer {
  fts5_tokenizer api{};
  Fts5Tokenizer* instance = nullptr;
  ~Tokenizer() {
    if (instance != nullptr) api.xDelete(instance);
  }
};

namespace {

struct TokenizeContext {
  std::string_view text;
  std::vector<QueryTerm>* terms;
  std::unordered_set<std::string>* seen;
};

int OnToken(void* ctx, int /*flags*/, const char* token, int n_token, int start, int end) {
  auto* c = static_cast<TokenizeContext*>(ctx);
  std::string t(token, static_cast<size_t>(n_token));
  if (t.empty() || !c->seen->insert(t).second) return SQLITE_OK;
  c->terms->push_back({std::move(t), std::string(c->text.substr(start, end - start)), -1});
  return SQLITE_OK;
}

std::string Quote(const std::string& word) {
  std::string out = "\"";
  for (char ch : word) {
    if (ch == '"') out += "\"\"";
    else out.push_back(ch);
  }
  return out + "\"";
}

}  // namespace

Retriever::Retriever(Connection* db) : db_(db) {}
Retriever::~Retriever() = default;

Result<std::unique_ptr<Retriever>> Retriever::Create(Connection* db) {
  std::unique_ptr<Retriever> r(new Retriever(db));
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db->get(), "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (api == nullptr || api->iVersion < 2) {
    return Status::Unsupported("this SQLite library has no FTS5 (needed for the document index)");
  }
  r->tokenizer_ = std::make_unique<Tokenizer>();
  void* user_data = nullptr;
  if (api->xFindTokenizer(api, "porter", &user_data, &r->tokenizer_->api) != SQLITE_OK) {
    return Status::Unsupported("FTS5 has no porter tokenizer");
  }
  const char* args[] = {"unicode61", "remove_diacritics", "2"};
  if (r->tokenizer_->api.xCreate(user_data, args, 3, &r->tokenizer_->instance) != SQLITE_OK) {
    return Status::Internal("cannot create the FTS5 query tokenizer");
  }
  KOLIBRI_RETURN_IF_ERROR(db->Exec(
      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab USING fts5vocab(main, chunks_fts, row)"));
  KOLIBRI_ASSIGN_OR_RETURN(r->vocab_, db->Prepare("SELECT doc FROM temp.chunks_vocab WHERE term = ?1"));
  KOLIBRI_ASSIGN_OR_RETURN(r->search_, db->Prepare(
      "SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ?1 ORDER BY rank LIMIT ?2"));
  KOLIBRI_ASSIGN_OR_RETURN(r->fetch_, db->Prepare(
      "SELECT c.id, d.id, d.source_path, d.title, c.heading_path, c.text, c.begin_offset, "
      "c.end_offset FROM chunks c JOIN documents d ON d.doc_rowid = c.doc_rowid "
      "WHERE c.chunk_rowid = ?1"));
  return r;
}

Result<std::vector<QueryTerm>> Retriever::Terms(const std::string& query) {
  std::vector<QueryTerm> terms;
  std::unordered_set<std::string> seen;
  TokenizeContext ctx{query, &terms, &seen};
  const int rc = tokenizer_->api.xTokenize(tokenizer_->instance, &ctx, FTS5_TOKENIZE_QUERY, query.data(),
                                           static_cast<int>(query.size()), OnToken);
  if (rc != SQLITE_OK) return SqliteStatus(nullptr, rc, "cannot tokenize the query");
  return terms;
}

Result<int64_t> Retriever::ChunkCount() {
  // data_version changes when another connection commits; only then is the count stale.
  KOLIBRI_ASSIGN_OR_RETURN(int64_t version, db_->QueryInt("PRAGMA data_version"));
  if (version != cached_version_ || cached_count_ < 0) {
    KOLIBRI_ASSIGN_OR_RETURN(cached_count_, db_->QueryInt("SELECT count(*) FROM chunks"));
    cached_version_ = version;
    frequency_cache_.clear();
  }
  return cached_count_;
}

Result<std::string> Retriever::MatchExpression(const std::string& query, const RetrieveOptions& options) {
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<QueryTerm> terms, Terms(query));
  if (options.prune_terms && !terms.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(int64_t total, ChunkCount());
    if (frequency_cache_.size() > 200000) frequency_cache_.clear();
    for (QueryTerm& t : terms) {
      if (auto it = frequency_cache_.find(t.token); it != frequency_cache_.end()) {
        t.doc_frequency = it->second;
        continue;
      }
      vocab_.Reset();
      vocab_.Bind(1, t.token);
      KOLIBRI_ASSIGN_OR_RETURN(bool row, vocab_.Step());
      t.doc_frequency = row ? vocab_.Int(0) : 0;
      frequency_cache_.emplace(t.token, t.doc_frequency);
    }
    // A statement left mid-result holds a read snapshot, which stops WAL checkpoints.
    vocab_.Reset();
    std::erase_if(terms, [](const QueryTerm& t) { return t.doc_frequency == 0; });
    std::stable_sort(terms.begin(), terms.end(),
                     [](const QueryTerm& a, const QueryTerm& b) { return a.doc_frequency < b.doc_frequency; });
    const auto limit = static_cast<int64_t>(options.max_term_fraction * static_cast<double>(total));
    size_t keep = 0;
    while (keep < terms.size() && keep < static_cast<size_t>(std::max(options.max_terms, 1)) &&
           terms[keep].doc_frequency <= std::max<int64_t>(limit, 1)) {
      ++keep;
    }
    // A query of common words only still deserves an answer: rank by its rarest few.
    if (keep == 0) keep = std::min<size_t>(terms.size(), 3);
    terms.resize(keep);
  }
  std::string match;
  for (const QueryTerm& t : terms) {
    if (!match.empty()) match += " OR ";
    match += Quote(t.word);
  }
  return match;
}

Result<std::vector<std::pair<int64_t, double>>> Retriever::Rank(const std::string& query, int k,
                                                                const RetrieveOptions& options) {
  std::vector<std::pair<int64_t, double>> hits;
  if (k <= 0) return hits;
  KOLIBRI_ASSIGN_OR_RETURN(std::string match, MatchExpression(query, options));
  if (match.empty()) return hits;
  search_.Reset();
  search_.Bind(1, match).Bind(2, int64_t{k});
  while (true) {
    auto row = search_.Step();
    if (!row.ok()) {
      search_.Reset();
      return row.status();
    }
    if (!*row) break;
    hits.emplace_back(search_.Int(0), -search_.Double(1));
  }
  search_.Reset();
  return hits;
}

Result<bool> Retriever::Fetch(int64_t rowid, RetrievedChunk* c) {
  fetch_.Reset();
  fetch_.Bind(1, rowid);
  auto row = fetch_.Step();
  if (!row.ok() || !*row) {
    fetch_.Reset();
    return row;
  }
  c->chunk_id = fetch_.Text(0);
  c->document_id = fetch_.Text(1);
  c->source_path = fetch_.Text(2);
  c->title = fetch_.Text(3);
  c->heading_path = fetch_.Text(4);
  c->text = fetch_.Text(5);
  c->begin = static_cast<uint64_t>(fetch_.Int(6));
  c->end = static_cast<uint64_t>(fetch_.Int(7));
  fetch_.Reset();
  return true;
}

Result<std::vector<RetrievedChunk>> Retriever::Retrieve(const std::string& query, int k,
                                                        const RetrieveOptions& options) {
  KOLIBRI_ASSIGN_OR_RETURN(auto hits, Rank(query, k, options));
  std::vector<RetrievedChunk> out;
  for (const auto& [rowid, score] : hits) {
    RetrievedChunk c;
    KOLIBRI_ASSIGN_OR_RETURN(bool found, Fetch(rowid, &c));
    if (!found) continue;
    c.score = score;
    c.bm25_score = score;
    c.bm25_rank = static_cast<int>(out.size()) + 1;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace kolibri::store
