#!/usr/bin/env python3
"""Active/active HA test: replicas behind HAProxy, one SIGKILLed and one rolled (SIGTERM)
under a steady client load; nothing may be lost or duplicated.

Starts everything itself on loopback and stops it afterwards: a throwaway PostgreSQL
cluster (scripts/pg_test_cluster.sh) holding the shared review queue and audit log, three
`kolibri serve` replicas (tiny random-weight test model, a classify task that always
escalates to the review queue), and HAProxy configured from deploy/haproxy.cfg (same
health check, retry and redispatch settings; ports rewritten).

Load: --workers client threads for --seconds at --rate requests/s; the requests alternate POST /v1/tasks/route with a
unique input and Idempotency-Key (every one must end as one review item) and a streaming
chat completion. A client retries (up to --client-retries times) on a connection error, a
429/502/503/504, or a stream cut before `data: [DONE]` - reusing the same Idempotency-Key.
Chaos: replica 1 is SIGKILLed at 25% of the run (restarted 2 s later), replica 2 gets
SIGTERM at 50% and is restarted once it has exited (a rolling update step).

Pass: every request ends with a correct answer (task: 200, tier "human", a review id;
stream: valid chunks then [DONE]); every task request's key is in the review queue exactly
once and maps to the review id its client got; no other items exist.

--scenario rolling restarts every replica in turn with SIGTERM instead; with
--server llama-server (streams only) and --client-retries 0 it measures, for comparison,
how many streams a rolling restart loses on a server without drain.

Exit: 0 pass, 1 fail, 77 skip (HAProxy or PostgreSQL missing). Writes a JSON summary to
--out when given. Env: KOLIBRI_BIN, KOLIBRI_TEST_DATA, KOLIBRI_LLAMA_SOURCE_DIR,
KOLIBRI_SOURCE_DIR, KOLIBRI_LLAMA_SERVER (llama-server binary) - set by ctest.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tiny_model import tiny_model  # noqa: E402

SKIP = 77
TASKS_YAML = """tasks:
  - name: route
    kind: classify
    instructions: Which team handles this mail?
    labels: [billing, shipping, account]
    thresholds: {min_confidence: 1.0}
"""


def log(msg):
    print(f"[ha {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(port, path, timeout=2.0):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", path)
        status = c.getresponse().status
        c.close()
        return status
    except OSError:
        return None


class Replica:
    def __init__(self, name, port, argv, workdir):
        self.name, self.port, self.argv, self.workdir = name, port, argv, workdir
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        logf = open(os.path.join(self.workdir, f"{self.name}.{self.starts}.log"), "w")
        self.proc = subprocess.Popen(self.argv, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, path, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} while starting")
            if http_status(self.port, path) == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready on {path} after {timeout} s")

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.proc.wait()
            return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.signal(signal.SIGTERM)
            self.wait_exit(20)


class Outcome:
    def __init__(self, kind, key):
        self.kind, self.key = kind, key
        self.ok = False
        self.attempts = 0
        self.errors = []  # why each failed attempt failed
        self.review_id = 0
        self.latency_s = 0.0


def attempt_task(port, key, text):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = json.dumps({"input": text, "tiers": ["slm", "human"]})
    c.request("POST", "/v1/tasks/route", body=body,
              headers={"Content-Type": "application/json", "Idempotency-Key": key})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        return False, f"status {r.status}", 0, r.status in (429, 502, 503, 504)
    j = json.loads(data)
    if j.get("tier") != "human" or int(j.get("review_id", 0)) <= 0:
        return False, f"unexpected answer {data[:200]!r}", 0, False
    return True, "", int(j["review_id"]), False


def attempt_stream(port, n, model):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": f"Say hello {n}"}],
                       "max_tokens": 64, "stream": True})
    c.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    if r.status != 200:
        r.read()
        c.close()
        return False, f"status {r.status}", r.status in (429, 502, 503, 504)
    done, chunks = False, 0
    try:
        for raw in r:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                done = True
                break
            j = json.loads(payload)
            if "choices" not in j:
                return False, f"bad chunk {payload[:120]}", False
            chunks += 1
    except (OSError, http.client.HTTPException) as e:
        return False, f"stream cut after {chunks} chunks ({type(e).__name__})", True
    finally:
        c.close()
    if not done:
        return False, f"stream ended after {chunks} chunks without [DONE]", True
    return True, "", False


def run_request(port, kind, n, args, key):
    out = Outcome(kind, key)
    start = time.time()
    text = f"HA test mail {key}: my parcel {n} did not arrive, please check order {n * 7 + 3}."
    for attempt in range(args.client_retries + 1):
        out.attempts += 1
        try:
            if kind == "task":
                ok, why, rid, retryable = attempt_task(port, key, text)
                out.review_id = rid
            else:
                ok, why, retryable = attempt_stream(port, n, args.model_alias)
        except (OSError, http.client.HTTPException) as e:
            ok, why, retryable = False, f"{type(e).__name__}: {e}", True
        if ok:
            out.ok = True
            break
        out.errors.append(why)
        if not retryable:
            break
        time.sleep(min(0.2 * (2 ** attempt), 2.0))
    out.latency_s = time.time() - start
    return out


def psql(uri, sql):
    return subprocess.run(["psql", uri, "-At", "-F", "\t", "-c", sql], check=True, capture_output=True,
                          text=True).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", choices=["kolibri", "llama-server"], default="kolibri")
    ap.add_argument("--replicas", type=int, default=3)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=24)
    ap.add_argument("--client-retries", type=int, default=6)
    ap.add_argument("--streams-only", action="store_true")
    ap.add_argument("--scenario", choices=["chaos", "rolling"], default="chaos",
                    help="chaos: SIGKILL one replica, roll another; rolling: roll every replica with SIGTERM")
    ap.add_argument("--rate", type=float, default=12, help="requests started per second, all workers together")
    ap.add_argument("--max-requests", type=int, default=1000, help="stop issuing after this many")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    args.model_alias = "tiny"

    src = os.environ.get("KOLIBRI_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    kolibri = os.environ.get("KOLIBRI_BIN", "kolibri")
    if shutil.which("haproxy") is None:
        print("SKIP: haproxy is not installed (apt-get install haproxy)")
        return SKIP
    llama_server = os.environ.get("KOLIBRI_LLAMA_SERVER", "")
    if args.server == "llama-server" and not os.access(llama_server, os.X_OK):
        print("SKIP: no llama-server binary (KOLIBRI_LLAMA_SERVER)")
        return SKIP
    data = os.environ.get("KOLIBRI_TEST_DATA", tempfile.gettempdir())
    os.makedirs(data, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kolibri-ha-")
    os.chmod(work, 0o755)
    cleanup = []
    result = {"server": args.server, "scenario": args.scenario, "client_retries": args.client_retries}
    try:
        model = tiny_model(kolibri, data)
        uri = ""
        if args.server == "kolibri":
            pg = subprocess.run([os.path.join(src, "scripts", "pg_test_cluster.sh"), "start",
                                 os.path.join(work, "pg")], capture_output=True, text=True)
            if pg.returncode == SKIP:
                print("SKIP: PostgreSQL is not installed")
                return SKIP
            if pg.returncode != 0:
                raise RuntimeError("PostgreSQL did not start: " + pg.stderr[-500:])
            uri = pg.stdout.strip()
            cleanup.append(lambda: subprocess.run([os.path.join(src, "scripts", "pg_test_cluster.sh"), "stop",
                                                   os.path.join(work, "pg")], capture_output=True))
            with open(os.path.join(work, "tasks.yaml"), "w") as f:
                f.write(TASKS_YAML)

        replicas = []
        for i in range(args.replicas):
            port = free_port()
            if args.server == "kolibri":
                argv = [kolibri, "serve", "--model", model, "--alias", "tiny", "--ctx", "1024", "--parallel", "2",
                        "--threads", "1", "--host", "127.0.0.1", "--port", str(port),
                        "--tasks", os.path.join(work, "tasks.yaml"), "--review-db", uri, "--audit-db", uri]
            else:
                argv = [llama_server, "-m", model, "--alias", "tiny", "-c", "1024", "-np", "2", "-t", "1",
                        "--host", "127.0.0.1", "--port", str(port)]
            replicas.append(Replica(f"replica{i + 1}", port, argv, work))
        for r in replicas:
            r.start()
        cleanup.append(lambda: [r.stop() for r in replicas])
        for r in replicas:
            r.wait_ready("/health")
        # /ready when the server has it (Kolibri's drain turns it 503), else /health.
        check = "/ready" if http_status(replicas[0].port, "/ready") == 200 else "/health"
        result["health_check"] = check
        log(f"{len(replicas)} {args.server} replicas up; HAProxy checks {check}")

        with open(os.path.join(src, "deploy", "haproxy.cfg")) as f:
            cfg = f.read()
        front = free_port()
        lines = []
        for line in cfg.splitlines():
            s = line.strip()
            if s.startswith("server "):
                continue
            if s.startswith("bind "):
                line = f"    bind 127.0.0.1:{front}"
            if s.startswith("log stdout"):
                line = "    log stdout format raw local0 notice"
            if s.startswith("option httpchk"):
                line = f"    option httpchk GET {check}"
            lines.append(line)
        lines += [f"    server {r.name} 127.0.0.1:{r.port} check" for r in replicas]
        with open(os.path.join(work, "haproxy.cfg"), "w") as f:
            f.write("\n".join(lines) + "\n")
        hlog = open(os.path.join(work, "haproxy.log"), "w")
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", os.path.join(work, "haproxy.cfg")], stdout=hlog,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        cleanup.append(lambda: (haproxy.terminate(), haproxy.wait(10)))
        deadline = time.time() + 20
        while http_status(front, "/health") != 200:
            if time.time() > deadline or haproxy.poll() is not None:
                raise RuntimeError("HAProxy did not come up")
            time.sleep(0.2)

        # The load.
        outcomes, lock = [], threading.Lock()
        counter = [0]
        stop = threading.Event()

        def worker(w):
            while not stop.is_set():
                with lock:
                    n = counter[0]
                    counter[0] += 1
                if n >= args.max_requests:
                    return
                # A steady load: request n starts at n / rate seconds (if a worker is free).
                time.sleep(max(0.0, t0 + n / args.rate - time.time()))
                if stop.is_set():
                    return
                kind = "stream" if (args.streams_only or args.server != "kolibri" or n % 2 == 1) else "task"
                o = run_request(front, kind, n, args, f"ha-{uuid.uuid4()}")
                with lock:
                    outcomes.append(o)

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.workers)]
        t0 = time.time()
        for t in threads:
            t.start()
        events = []

        def at(fraction):
            time.sleep(max(0.0, t0 + args.seconds * fraction - time.time()))

        if args.scenario == "chaos":
            at(0.25)
            log("SIGKILL replica1")
            replicas[0].signal(signal.SIGKILL)
            replicas[0].wait_exit(10)
            events.append({"t": round(time.time() - t0, 1), "event": "SIGKILL replica1"})
            time.sleep(2)
            replicas[0].start()
            at(0.5)
            rolled = [replicas[1]]
        else:
            at(0.2)
            rolled = replicas
        for r in rolled:
            log(f"SIGTERM {r.name} (rolling restart)")
            t_term = time.time()
            r.signal(signal.SIGTERM)
            rc = r.wait_exit(60)
            events.append({"t": round(t_term - t0, 1), "event": f"SIGTERM {r.name}", "exit_code": rc,
                           "stop_s": round(time.time() - t_term, 2)})
            r.start()
            r.wait_ready("/health")
            time.sleep(2.5)  # HAProxy's rise 2 x 1 s before it gets traffic again
        replicas[0].wait_ready("/health")
        at(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=180)
        elapsed = time.time() - t0

        # Verdict.
        failures = [o for o in outcomes if not o.ok]
        retried = [o for o in outcomes if o.attempts > 1]
        first_try_lost = {k: sum(1 for o in outcomes if o.kind == k and o.errors) for k in ("task", "stream")}
        result.update({
            "requests": len(outcomes), "seconds": round(elapsed, 1), "workers": args.workers,
            "tasks": sum(1 for o in outcomes if o.kind == "task"),
            "streams": sum(1 for o in outcomes if o.kind == "stream"),
            "failed": len(failures), "retried": len(retried),
            "failed_first_attempt": first_try_lost,
            "retry_reasons": sorted({e for o in outcomes for e in o.errors})[:20],
            "latency_p50_s": round(sorted(o.latency_s for o in outcomes)[len(outcomes) // 2], 3) if outcomes else 0,
            "events": events,
        })
        ok = not failures and len(outcomes) > 0
        if args.server == "kolibri":
            rows = psql(uri, "SELECT idempotency_key, id FROM review_items ORDER BY id").splitlines()
            db = {}
            for row in rows:
                key, rid = row.split("\t")
                db.setdefault(key, []).append(int(rid))
            task_outcomes = [o for o in outcomes if o.kind == "task" and o.ok]
            missing = [o.key for o in task_outcomes if o.key not in db]
            duplicated = [k for k, ids in db.items() if len(ids) > 1]
            mismatched = [o.key for o in task_outcomes if o.key in db and db[o.key] != [o.review_id]]
            extra = [k for k in db if k not in {o.key for o in outcomes if o.kind == "task"}]
            result.update({"review_items": len(rows), "missing_items": len(missing),
                           "duplicated_items": len(duplicated), "mismatched_ids": len(mismatched),
                           "unexpected_items": len(extra)})
            ok = ok and not missing and not duplicated and not mismatched and not extra
            ok = ok and (args.streams_only or len(task_outcomes) > 0)
        result["passed"] = bool(ok)
        print(json.dumps(result, indent=2))
        for o in failures[:10]:
            print(f"FAILED {o.kind} {o.key}: {o.attempts} attempts: {o.errors}")
        if args.out:
            with open(args.out, "w") as f:
                json.dump(result, f, indent=2)
        return 0 if ok else 1
    finally:
        for c in reversed(cleanup):
            try:
                c()
            except Exception as e:  # cleanup must go on
                log(f"cleanup: {e}")
        if os.environ.get("KOLIBRI_HA_KEEP") is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
