// Decides how to read a file: from its extension, checked against its leading bytes.
#pragma once

#include <string_view>

#include "kolibri/status.h"

namespace kolibri::ingest {

enum class SourceFormat { kText, kMarkdown, kHtml, kPdf, kEmail, kMbox };

// The format of a file named `path` whose first bytes are `head` (up to a few KiB).
// `maildir_message` forces kEmail. Binary content (NUL bytes, mostly control bytes, a known
// binary signature) is kUnsupported with the reason.
Result<SourceFormat> DetectFormat(std::string_view path, std::string_view head,
                                  bool maildir_message);

}  // namespace kolibri::ingest
