// Meta-schemas bundled with the validator, so references to them need no network.
#pragma once

#include <string_view>

namespace kolibri::schema {

// JSON text of the meta-schema at `uri` (no fragment, e.g.
// "http://json-schema.org/draft-07/schema"), or nullptr when none is bundled.
const char* MetaSchemaText(std::string_view uri);

}  // namespace kolibri::schema
