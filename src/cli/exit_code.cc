#include "cli/command.h"

namespace kolibri::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return 0;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange: return 2;
    case ErrorCode::kNotFound: return 3;
    case ErrorCode::kCorrupt:
    case ErrorCode::kUnsupported: return 4;
    case ErrorCode::kResourceExhausted: return 5;
    default: return 1;
  }
}

}  // namespace kolibri::cli
