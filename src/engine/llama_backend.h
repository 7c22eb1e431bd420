// Process-wide llama.cpp initialisation and log routing. Every engine entry point calls
// EnsureLlamaBackend() first; it is idempotent and thread-safe.
#pragma once

namespace kolibri::engine {

void EnsureLlamaBackend();

}  // namespace kolibri::engine
