// Splits a document's cleaned text into retrieval chunks.
//
// Chunks are built from whole sentences; a heading always starts a new chunk (unless the
// chunk so far is tiny) and is never the last thing in one, so a heading travels with the
// text below it. Each chunk carries the path of its enclosing headings, byte offsets into
// Document::text and a stable id: the same document id, ordinal and text give the same id
// on every run and machine. Sizes are counted in whitespace-separated words (about 0.75 of
// a model token each for English). A sentence longer than max_words is cut at word
// boundaries. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/document.h"
#include "kolibri/sha256.h"  // Sha256Hex: content hashes and chunk ids

namespace kolibri {

struct ChunkOptions {
  size_t target_words = 200;  // close a chunk at a sentence end once it has this many words
  size_t max_words = 300;     // never exceed (a longer sentence is cut at word boundaries)
  size_t min_words = 40;      // a heading does not close a chunk smaller than this
};

// Returns the chunks of `doc` (doc.text, doc.headings and doc.id are read; doc.chunks is
// ignored). Empty or whitespace-only text gives no chunks.
std::vector<Chunk> ChunkDocument(const Document& doc, const ChunkOptions& options = {});


}  // namespace kolibri
