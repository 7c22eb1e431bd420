// The document store on SQLite. Schema changes go through kMigrations (one entry per
// version step, applied by OpenSqliteStore at Open), so old index files keep working.
#include "kolibri/document_store.h"

#include "kolibri/sha256.h"
#include "store/retrieval.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_schema.h"

namespace kolibri {
namespace {

using store::Connection;
using store::Statement;
using store::Transaction;

// 'KLB1': marks a file as a Kolibri index, so a foreign SQLite file is refused, not altered.
constexpr int64_t kApplicationId = 0x4B4C4231;

// kMigrations[i] moves the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE sources(
  path TEXT PRIMARY KEY,
  content_hash TEXT NOT NULL,
  indexed_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE documents(
  doc_rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source_path TEXT NOT NULL REFERENCES sources(path),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  date TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  attachments TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX documents_by_source ON documents(source_path);
CREATE TABLE chunks(
  chunk_rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  doc_rowid INTEGER NOT NULL REFERENCES documents(doc_rowid),
  ordinal INTEGER NOT NULL,
  begin_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  title TEXT NOT NULL,
  heading_path TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX chunks_by_document ON chunks(doc_rowid);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
  text, heading_path, title, content='chunks', content_rowid='chunk_rowid',
  tokenize='porter unicode61 remove_diacritics 2');
INSERT INTO chunks_fts(chunks_fts, rank) VALUES('rank', 'bm25(1.0, 0.5, 0.5)');
CREATE TRIGGER chunks_after_insert AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, text, heading_path, title)
  VALUES (new.chunk_rowid, new.text, new.heading_path, new.title);
END;
CREATE TRIGGER chunks_after_delete AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_path, title)
  VALUES ('delete', old.chunk_rowid, old.text, old.heading_path, old.title);
END;
)sql",
};
static_assert(std::size(kMigrations) == DocumentStore::kSchemaVersion);

constexpr store::SqliteSchema kSchema{.kind = "index",
                                      .application_id = kApplicationId,
                                      .migrations = kMigrations,
                                      .version = DocumentStore::kSchemaVersion};

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out.push_back('\n');
    out += s;
  }
  return out;
}

}  // namespace

class DocumentStore::Impl {
 public:
  Connection db;
  std::string path;
  std::unique_ptr<store::Retriever> retriever;

  Status DeleteSource(const std::string& source_path) {
    KOLIBRI_ASSIGN_OR_RETURN(Statement chunks, db.Prepare(
        "DELETE FROM chunks WHERE doc_rowid IN (SELECT doc_rowid FROM documents WHERE source_path = ?1)"));
    KOLIBRI_RETURN_IF_ERROR(chunks.Bind(1, source_path).Run());
    KOLIBRI_ASSIGN_OR_RETURN(Statement docs, db.Prepare("DELETE FROM documents WHERE source_path = ?1"));
    KOLIBRI_RETURN_IF_ERROR(docs.Bind(1, source_path).Run());
    KOLIBRI_ASSIGN_OR_RETURN(Statement src, db.Prepare("DELETE FROM sources WHERE path = ?1"));
    return src.Bind(1, source_path).Run();
  }
};

DocumentStore::DocumentStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DocumentStore::~DocumentStore() = default;

Result<std::unique_ptr<DocumentStore>> DocumentStore::Open(const std::string& path, const StoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  KOLIBRI_RETURN_IF_ERROR(store::OpenSqliteStore(
      &impl->db, path, kSchema,
      {.create = options.create, .read_only = options.read_only, .busy_timeout_ms = options.busy_timeout_ms}));
  KOLIBRI_RETURN_IF_ERROR(impl->db.Exec("PRAGMA foreign_keys = ON"));
  KOLIBRI_ASSIGN_OR_RETURN(impl->retriever, store::Retriever::Create(&impl->db));
  return std::unique_ptr<DocumentStore>(new DocumentStore(std::move(impl)));
}

Result<bool> DocumentStore::IsCurrent(const std::string& source_path, const std::string& content_hash) {
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, impl_->db.Prepare("SELECT content_hash FROM sources WHERE path = ?1"));
  st.Bind(1, source_path);
  KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
  return row && st.Text(0) == content_hash;
}

Status DocumentStore::ReplaceSource(const std::string& source_path, const std::string& content_hash,
                                    const std::vector<Document>& documents) {
  Connection& db = impl_->db;
  impl_->retriever->Invalidate();
  Transaction tx(&db);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  KOLIBRI_RETURN_IF_ERROR(impl_->DeleteSource(source_path));
  KOLIBRI_ASSIGN_OR_RETURN(Statement src, db.Prepare(
      "INSERT INTO sources(path, content_hash, indexed_at) VALUES (?1, ?2, unixepoch())"));
  KOLIBRI_RETURN_IF_ERROR(src.Bind(1, source_path).Bind(2, content_hash).Run());
  KOLIBRI_ASSIGN_OR_RETURN(Statement doc_st, db.Prepare(
      "INSERT INTO documents(id, source_path, kind, title, date, content_hash, attachments, text) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  KOLIBRI_ASSIGN_OR_RETURN(Statement chunk_st, db.Prepare(
      "INSERT INTO chunks(id, doc_rowid, ordinal, begin_offset, end_offset, title, heading_path, text) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  for (const Document& d : documents) {
    doc_st.Reset();
    doc_st.Bind(1, d.id).Bind(2, source_path).Bind(3, DocumentKindName(d.kind)).Bind(4, d.title)
        .Bind(5, d.date).Bind(6, content_hash).Bind(7, JoinLines(d.attachments)).Bind(8, d.text);
    Status s = doc_st.Run();
    if (s.code() == ErrorCode::kInternal && s.message().find("UNIQUE") != std::string::npos) {
      return Status::AlreadyExists("document id '" + d.id + "' is already stored for another source");
    }
    KOLIBRI_RETURN_IF_ERROR(s);
    const int64_t doc_rowid = sqlite3_last_insert_rowid(db.get());
    for (const Chunk& c : d.chunks) {
      chunk_st.Reset();
      chunk_st.Bind(1, c.id).Bind(2, doc_rowid).Bind(3, int64_t{c.ordinal})
          .Bind(4, static_cast<int64_t>(c.begin)).Bind(5, static_cast<int64_t>(c.end)).Bind(6, d.title)
          .Bind(7, c.heading_path).Bind(8, c.text);
      KOLIBRI_RETURN_IF_ERROR(chunk_st.Run());
    }
  }
  return tx.Commit();
}

Result<int> DocumentStore::RemovePath(const std::string& path) {
  Connection& db = impl_->db;
  impl_->retriever->Invalidate();
  Transaction tx(&db);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  std::string prefix = path;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, db.Prepare(
      "SELECT path FROM sources WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/'"));
  st.Bind(1, prefix);
  std::vector<std::string> paths;
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    paths.push_back(st.Text(0));
  }
  for (const std::string& p : paths) KOLIBRI_RETURN_IF_ERROR(impl_->DeleteSource(p));
  KOLIBRI_RETURN_IF_ERROR(tx.Commit());
  return static_cast<int>(paths.size());
}

Result<ForgottenDocuments> DocumentStore::ForgetDocument(const std::string& id) {
  Connection& db = impl_->db;
  impl_->retriever->Invalidate();
  Transaction tx(&db);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  KOLIBRI_ASSIGN_OR_RETURN(Statement sel, db.Prepare(
      "SELECT doc_rowid, source_path, text, (SELECT count(*) FROM chunks c WHERE c.doc_rowid = d.doc_rowid) "
      "FROM documents d WHERE id = ?1 OR source_path = ?1"));
  sel.Bind(1, id);
  ForgottenDocuments out;
  std::vector<int64_t> rowids;
  std::vector<std::string> sources;
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(bool row, sel.Step());
    if (!row) break;
    rowids.push_back(sel.Int(0));
    sources.push_back(sel.Text(1));
    out.text_hashes.push_back("sha256:" + Sha256Hex(sel.Text(2)));
    out.chunks += sel.Int(3);
  }
  KOLIBRI_ASSIGN_OR_RETURN(Statement del_chunks, db.Prepare("DELETE FROM chunks WHERE doc_rowid = ?1"));
  KOLIBRI_ASSIGN_OR_RETURN(Statement del_doc, db.Prepare("DELETE FROM documents WHERE doc_rowid = ?1"));
  for (int64_t rowid : rowids) {
    del_chunks.Reset();
    KOLIBRI_RETURN_IF_ERROR(del_chunks.Bind(1, rowid).Run());
    del_doc.Reset();
    KOLIBRI_RETURN_IF_ERROR(del_doc.Bind(1, rowid).Run());
  }
  KOLIBRI_ASSIGN_OR_RETURN(Statement del_src, db.Prepare(
      "DELETE FROM sources WHERE path = ?1 AND NOT EXISTS (SELECT 1 FROM documents WHERE source_path = ?1)"));
  for (const std::string& source : sources) {
    del_src.Reset();
    KOLIBRI_RETURN_IF_ERROR(del_src.Bind(1, source).Run());
  }
  KOLIBRI_RETURN_IF_ERROR(tx.Commit());
  out.documents = static_cast<int64_t>(rowids.size());
  return out;
}

Result<std::vector<StoredDocument>> DocumentStore::List() {
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, impl_->db.Prepare(
      "SELECT d.id, d.source_path, d.kind, d.title, d.date, d.content_hash, "
      "(SELECT count(*) FROM chunks c WHERE c.doc_rowid = d.doc_rowid), length(CAST(d.text AS BLOB)) "
      "FROM documents d ORDER BY d.id"));
  std::vector<StoredDocument> out;
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5),
                   static_cast<int>(st.Int(6)), static_cast<uint64_t>(st.Int(7))});
  }
  return out;
}

Result<StoreStats> DocumentStore::Stats() {
  StoreStats s;
  KOLIBRI_ASSIGN_OR_RETURN(s.sources, impl_->db.QueryInt("SELECT count(*) FROM sources"));
  KOLIBRI_ASSIGN_OR_RETURN(s.documents, impl_->db.QueryInt("SELECT count(*) FROM documents"));
  KOLIBRI_ASSIGN_OR_RETURN(s.chunks, impl_->db.QueryInt("SELECT count(*) FROM chunks"));
  return s;
}

Result<std::vector<RetrievedChunk>> DocumentStore::Retrieve(const std::string& query, int k,
                                                            const RetrieveOptions& options) {
  return impl_->retriever->Retrieve(query, k, options);
}

Result<RetrievedChunk> DocumentStore::GetChunk(const std::string& chunk_id) {
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, impl_->db.Prepare(
      "SELECT c.id, d.id, d.source_path, d.title, c.heading_path, c.text, c.begin_offset, c.end_offset "
      "FROM chunks c JOIN documents d ON d.doc_rowid = c.doc_rowid WHERE c.id = ?1"));
  st.Bind(1, chunk_id);
  KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no chunk '" + chunk_id + "' in the index");
  return RetrievedChunk{st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5),
                        static_cast<uint64_t>(st.Int(6)), static_cast<uint64_t>(st.Int(7)), 0.0};
}

Status DocumentStore::CheckIntegrity() {
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, impl_->db.Prepare("PRAGMA integrity_check"));
  std::string problems;
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (st.Text(0) != "ok") problems += (problems.empty() ? "" : "; ") + st.Text(0);
  }
  if (!problems.empty()) return Status::Corrupt("index '" + impl_->path + "' is damaged: " + problems);
  Status fts = impl_->db.Exec("INSERT INTO chunks_fts(chunks_fts) VALUES('integrity-check')");
  if (!fts.ok()) return Status::Corrupt("full-text index of '" + impl_->path + "' is inconsistent: " + fts.message());
  KOLIBRI_ASSIGN_OR_RETURN(int64_t orphans, impl_->db.QueryInt(
      "SELECT count(*) FROM chunks WHERE doc_rowid NOT IN (SELECT doc_rowid FROM documents)"));
  if (orphans > 0) return Status::Corrupt(std::to_string(orphans) + " chunks without a document");
  return Status::Ok();
}

}  // namespace kolibri
