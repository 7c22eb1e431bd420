#!/usr/bin/env python3
"""Soak test of `kolibri serve` (issue 8): a steady load for a fixed time while the server's
resident memory (VmRSS) and open file descriptors are sampled; reports growth between the
end of a warm-up and the end of the run.

    bench/ops/soak.py [--minutes 30] [--rate 4] [--workers 4] [--model tiny.gguf]
                      [--kolibri build/release/bin/kolibri] [--out bench/results/ops_soak.json]

Load: --workers client threads start --rate requests/s in total, alternating a streamed chat
completion, a non-streamed completion with response_format json_schema, and a request that
is cut off by the client mid-stream (a vanished client must not leak a sequence or a socket).
Every prompt is distinct (a counter), so the prefix cache keeps inserting and evicting.
Loopback only; the server is started here and stopped at the end. Exit 0 when no request
failed and RSS and fds did not grow beyond the tolerances after warm-up, else 1.
"""
import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def request(port, kind, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    msg = [{"role": "user", "content": f"Soak request {n}: summarise ticket {n * 7919 % 100003}."}]
    if kind == 0:
        body = {"messages": msg, "max_tokens": 16, "stream": True}
    elif kind == 1:
        body = {"messages": msg, "max_tokens": 48, "response_format": {"type": "json_schema", "json_schema": {
            "name": "t", "schema": {"type": "object", "properties": {"id": {"type": "integer"},
                                                                  "ok": {"type": "boolean"}},
                                    "required": ["id", "ok"]}}}}
    else:
        body = {"messages": msg, "max_tokens": 200, "stream": True, "ignore_eos": True}
    conn.request("POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    if kind == 2:  # read a little, then vanish
        resp.read(64)
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        return resp.status == 200
    data = resp.read()
    conn.close()
    if resp.status != 200:
        return False
    if kind == 0:
        return b"data: [DONE]" in data
    out = json.loads(data)["choices"][0]["message"]["content"]
    parsed = json.loads(out)
    return isinstance(parsed.get("id"), int) and isinstance(parsed.get("ok"), bool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--warmup-minutes", type=float, default=3)
    ap.add_argument("--rate", type=float, default=4)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model", default=os.path.join(ROOT, "build/release/testdata/tiny-q8_0-qwen2.gguf"))
    ap.add_argument("--kolibri", default=os.path.join(ROOT, "build/release/bin/kolibri"))
    ap.add_argument("--sample-seconds", type=float, default=15)
    ap.add_argument("--rss-tolerance-mb", type=float, default=16)
    ap.add_argument("--fd-tolerance", type=int, default=8)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results/ops_soak.json"))
    a = ap.parse_args()
    if not os.path.exists(a.model):
        sys.exit(f"model {a.model} not found (build the tests once, or pass --model)")
    port = free_port()
    log = open(os.path.join("/tmp", f"kolibri-soak-{port}.log"), "w")
    server = subprocess.Popen([a.kolibri, "serve", "--model", a.model, "--ctx", "4096", "--parallel", "4",
                               "--threads", str(a.threads), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=log, stderr=log)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/ready")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            sys.exit("server did not become ready")
        stop = time.monotonic() + a.minutes * 60
        lock = threading.Lock()
        counts = {"sent": 0, "ok": 0, "failed": 0, "errors": []}
        next_n = [0]

        def worker():
            interval = a.workers / a.rate
            t_next = time.monotonic()
            while time.monotonic() < stop:
                with lock:
                    n = next_n[0]
                    next_n[0] += 1
                try:
                    ok = request(port, n % 3, n)
                except Exception as e:  # noqa: BLE001 - any failure counts
                    ok = False
                    with lock:
                        if len(counts["errors"]) < 10:
                            counts["errors"].append(f"{n}: {type(e).__name__}: {e}")
                with lock:
                    counts["sent"] += 1
                    counts["ok" if ok else "failed"] += 1
                t_next += interval
                time.sleep(max(0.0, t_next - time.monotonic()))

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.workers)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        samples = []
        while time.monotonic() < stop:
            samples.append({"t_s": round(time.monotonic() - t0, 1), "rss_mb": round(rss_kb(server.pid) / 1024, 1),
                            "fds": fd_count(server.pid), "requests": counts["sent"]})
            time.sleep(a.sample_seconds)
        for t in threads:
            t.join(timeout=180)
        time.sleep(2)
        samples.append({"t_s": round(time.monotonic() - t0, 1), "rss_mb": round(rss_kb(server.pid) / 1024, 1),
                        "fds": fd_count(server.pid), "requests": counts["sent"]})
        after_warmup = [s for s in samples if s["t_s"] >= a.warmup_minutes * 60] or samples
        first, last = after_warmup[0], samples[-1]
        rss_growth = last["rss_mb"] - first["rss_mb"]
        fd_growth = last["fds"] - first["fds"]
        passed = (counts["failed"] == 0 and rss_growth <= a.rss_tolerance_mb and fd_growth <= a.fd_tolerance)
        result = {
            "minutes": a.minutes, "rate": a.rate, "workers": a.workers, "model": os.path.basename(a.model),
            "requests": counts["sent"], "ok": counts["ok"], "failed": counts["failed"], "errors": counts["errors"],
            "rss_mb_after_warmup": first["rss_mb"], "rss_mb_end": last["rss_mb"],
            "rss_mb_max": max(s["rss_mb"] for s in samples), "rss_growth_mb": round(rss_growth, 1),
            "fds_after_warmup": first["fds"], "fds_end": last["fds"], "fd_growth": fd_growth,
            "tolerances": {"rss_mb": a.rss_tolerance_mb, "fds": a.fd_tolerance},
            "passed": passed, "load_avg_end": os.getloadavg(), "samples": samples,
        }
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
        print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))
        return 0 if passed else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
