"""The tiny random-weight test model for the script-driven tests (tests/ha, tests/imap)."""
import os
import subprocess


def tiny_model(kolibri, data):
    """Path of the tiny f16 Qwen2-shaped model in `data`, made once (flock guards parallel tests)."""
    model = os.path.join(data, "tiny-f16-qwen2.gguf")
    if not os.path.exists(model):
        vocab = os.path.join(os.environ["KOLIBRI_LLAMA_SOURCE_DIR"], "models", "ggml-vocab-qwen2.gguf")
        subprocess.run(["flock", model + ".lock", kolibri, "make-test-model", "--shape", "tiny", "--type", "f16",
                        "--vocab", vocab, "--out", model], check=True, capture_output=True)
    return model
