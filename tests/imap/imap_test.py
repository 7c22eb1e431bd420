#!/usr/bin/env python3
"""`kolibri run` against a real IMAP server: a private Dovecot on loopback.

Starts Dovecot itself (Debian package dovecot-imapd, installed by scripts/bootstrap.sh) with
its own config under a temporary folder: 127.0.0.1 only, random free ports, one passwd-file
user, a Maildir, and - when openssl is there - a self-signed certificate for imaps (port
993-style TLS) and STARTTLS. Nothing of the system's Dovecot config is read or touched; as
root the server runs as the unprivileged user `nobody`, otherwise as the current user; it is
stopped at the end.

Checks, with the tiny random-weight test model (its text is noise; only structure counts):
  1. imaps:// + --imap-insecure + --imap-password-file: every message processed once, a
     message without Message-ID gets the id imap:<uidvalidity>:<uid>, the mailbox is left
     as it was (no file moved to cur/, no flag added).
  2. a new message, then the same command (password from KOLIBRI_IMAP_PASSWORD this time):
     only the new message is processed, and Dovecot's session log says one body was
     fetched (UIDs finished earlier are not fetched again).
  3. --watch --watch-for: a message delivered while it runs is picked up.
  4. the same mailbox through imap:// (STARTTLS): nothing is processed twice.
  5. errors, each one clear line on stderr and a non-zero exit: wrong password, missing
     mailbox, untrusted certificate without --imap-insecure, nothing listening, a password
     in the URL; a mailbox with an unparsable message: the other message is processed, the
     bad one is listed and the run exits 4.
  6. the password appears in no output.

Exit: 0 pass, 1 fail, 77 skip (Dovecot not installed or cannot start; with
KOLIBRI_REQUIRE_IMAP=1 these fail instead). Env: KOLIBRI_BIN, KOLIBRI_TEST_DATA,
KOLIBRI_LLAMA_SOURCE_DIR, KOLIBRI_SOURCE_DIR - set by ctest.
"""
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tiny_model import tiny_model  # noqa: E402

SKIP = 77
PASSWORD = "pw-Kolibri-7f3a"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

failures = []


def log(msg):
    print(f"[imap {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def check(cond, what):
    if cond:
        log(f"ok   {what}")
    else:
        log(f"FAIL {what}")
        failures.append(what)
    return cond


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def skip(msg):
    if os.environ.get("KOLIBRI_REQUIRE_IMAP") == "1":
        print(f"FAIL (KOLIBRI_REQUIRE_IMAP=1): {msg}")
        return 1
    print(f"SKIP: {msg}")
    return SKIP


class Dovecot:
    """A private Dovecot instance: config, users and Maildir under `root`."""

    def __init__(self, root):
        self.root = root
        self.run_as = "nobody" if os.getuid() == 0 else pwd.getpwuid(os.getuid()).pw_name
        entry = pwd.getpwnam(self.run_as)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.port, self.tls_port = free_port(), free_port()
        self.tls = shutil.which("openssl") is not None
        self.maildir = os.path.join(root, "home", "alice", "Maildir")
        self.conf = os.path.join(root, "dovecot.conf")
        self.log = os.path.join(root, "dovecot.log")
        self.counter = 0

    def as_owner(self, argv):
        return (["runuser", "-u", self.run_as, "--"] if os.getuid() == 0 else []) + argv

    def chown(self, path):
        if os.getuid() == 0:
            os.chown(path, self.uid, self.gid)

    def write_config(self):
        for d in ("run", "state", "home/alice/Maildir/cur", "home/alice/Maildir/new", "home/alice/Maildir/tmp",
                  "home/alice/Maildir/.Broken/cur", "home/alice/Maildir/.Broken/new",
                  "home/alice/Maildir/.Broken/tmp"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        with open(os.path.join(self.root, "passwd"), "w") as f:
            f.write(f"alice:{{PLAIN}}{PASSWORD}\n")
        ssl = "ssl = no\n"
        tls_listener = ""
        if self.tls:
            r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                "-nodes", "-keyout", os.path.join(self.root, "key.pem"),
                                "-out", os.path.join(self.root, "cert.pem"), "-days", "2", "-subj", "/CN=localhost"],
                               capture_output=True)
            self.tls = r.returncode == 0
        if self.tls:
            ssl = (f"ssl = yes\nssl_cert = <{self.root}/cert.pem\nssl_key = <{self.root}/key.pem\n")
            tls_listener = f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.tls_port}\n    ssl = yes\n  }}\n"
        else:
            tls_listener = "  inet_listener imaps {\n    port = 0\n  }\n"
        user = self.run_as
        group_name = grp.getgrgid(self.gid).gr_name
        conf = f"""# Private test instance of tests/imap/imap_test.py: loopback only, thrown away afterwards.
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.log}
default_internal_user = {user}
default_internal_group = {group_name}
default_login_user = {user}
first_valid_uid = {self.uid}
last_valid_uid = 0
{ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
{tls_listener}}}
service pop3-login {{
  chroot =
}}
service submission-login {{
  chroot =
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
"""
        with open(self.conf, "w") as f:
            f.write(conf)
        for base, dirs, files in os.walk(self.root):
            self.chown(base)
            for name in files:
                self.chown(os.path.join(base, name))

    def start(self):
        # The daemon keeps the descriptors it was given: a file, not a pipe we would wait on.
        start_log = os.path.join(self.root, "start.log")
        with open(start_log, "w") as f:
            r = subprocess.run(self.as_owner([DOVECOT, "-c", self.conf]), stdin=subprocess.DEVNULL, stdout=f,
                               stderr=subprocess.STDOUT)
        if r.returncode != 0:
            with open(start_log, errors="replace") as f:
                return f.read().strip()[-400:]
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(200).startswith(b"* OK"):
                        return ""
            except OSError:
                pass
            time.sleep(0.1)
        return "Dovecot did not greet on port %d within 15 s" % self.port

    def pid(self):
        try:
            with open(os.path.join(self.root, "run", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return 0

    def stop(self):
        pid = self.pid()
        subprocess.run(self.as_owner([DOVECOT, "-c", self.conf, "stop"]), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while pid and time.time() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                return True
            time.sleep(0.1)
        if pid:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        return pid == 0

    def deliver(self, data, folder=""):
        """Delivers a message the Maildir way: write to tmp/, rename into new/."""
        self.counter += 1
        base = os.path.join(self.maildir, folder)
        name = f"{int(time.time())}.M{self.counter}P{os.getpid()}.kolibri-test"
        tmp = os.path.join(base, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        self.chown(tmp)
        os.rename(tmp, os.path.join(base, "new", name))

    def sessions(self):
        """Dovecot's end-of-session lines: one per logged-in IMAP session, with body_count."""
        with open(self.log, errors="replace") as f:
            return [line for line in f if "imap(alice)" in line and "Disconnected" in line]


def body_count(line):
    for part in line.split():
        if part.startswith("body_count="):
            return int(part.split("=")[1].rstrip(","))
    return -1


def main():
    src = os.environ.get("KOLIBRI_SOURCE_DIR",
                         os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    kolibri = os.environ.get("KOLIBRI_BIN", "kolibri")
    if not os.access(DOVECOT, os.X_OK):
        return skip("Dovecot is not installed (apt-get install dovecot-imapd, or scripts/bootstrap.sh)")
    data = os.environ.get("KOLIBRI_TEST_DATA", tempfile.gettempdir())
    os.makedirs(data, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kolibri-imap-")
    os.chmod(work, 0o755)
    server = Dovecot(os.path.join(work, "dovecot"))
    os.makedirs(server.root)
    started = False
    try:
        model = tiny_model(kolibri, data)
        server.write_config()
        started = True  # from here on the finally block stops whatever did start
        error = server.start()
        if error:
            return skip("Dovecot did not start: " + error)
        log(f"Dovecot on 127.0.0.1:{server.port}" + (f" and imaps :{server.tls_port}" if server.tls else "")
            + f", running as {server.run_as}")

        inbox = os.path.join(src, "examples", "support-mail", "inbox")
        for name in ("001-wo-bleibt-bestellung.eml", "003-paket-beschaedigt.eml"):
            with open(os.path.join(inbox, name), "rb") as f:
                server.deliver(f.read())
        server.deliver(b"From: Ops <ops@example.com>\r\nTo: service@example.com\r\nSubject: Rechnung fehlt\r\n\r\n"
                       b"Hallo, mir fehlt die Rechnung zur Bestellung NL-24031999.\r\n")
        pw_file = os.path.join(work, "imap-password")
        with open(pw_file, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pw_file, 0o600)

        scheme, port = ("imaps", server.tls_port) if server.tls else ("imap", server.port)
        url = f"{scheme}://alice@127.0.0.1:{port}/INBOX"
        out = os.path.join(work, "results.jsonl")
        common = [kolibri, "run", os.path.join(src, "examples", "support-mail", "worker.yaml"),
                  "--out", out, "--state", os.path.join(work, "state.sqlite"), "--model", model,
                  "--review-db", os.path.join(work, "review.sqlite"), "--skip-tier", "upstream",
                  "-t", "1", "--ctx", "2048", "--imap-connect-timeout", "5", "--imap-timeout", "10"]
        tls_flag = ["--imap-insecure"] if server.tls else []
        env_no_pw = {k: v for k, v in os.environ.items() if k != "KOLIBRI_IMAP_PASSWORD"}
        outputs = []

        def run(args, env=None, timeout=120):
            t0 = time.time()
            r = subprocess.run(common + args, capture_output=True, text=True, env=env or env_no_pw, timeout=timeout)
            outputs.append(r.stdout + r.stderr)
            log(f"     kolibri run ... {' '.join(args[:2])}: exit {r.returncode} in {time.time() - t0:.1f} s")
            return r

        def summary(r):
            try:
                return json.loads(r.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                return {}

        def results():
            with open(out) as f:
                return [json.loads(line) for line in f if line.strip()]

        # 1. The first run processes every message, read-only.
        r = run(["--input", url, "--imap-password-file", pw_file, "--json"] + tls_flag)
        s = summary(r)
        check(r.returncode == 0, f"first run exits 0 (got {r.returncode}: {r.stderr.strip()[-300:]})")
        check(s.get("processed") == 3 and s.get("items") == 3, f"first run processed 3 of 3 ({s.get('processed')})")
        ids = [x["message_id"] for x in results()]
        check(len(ids) == 3 and len(set(ids)) == 3, f"3 distinct results ({ids})")
        check("6c4a260e0969.70cf72e6@example.de" in ids, "Message-ID header is the id")
        derived = [i for i in ids if i.startswith("imap:")]
        check(len(derived) == 1 and derived[0].endswith(":3") and derived[0].count(":") == 2,
              f"message without Message-ID has id imap:<uidvalidity>:<uid> ({derived})")
        cur = os.listdir(os.path.join(server.maildir, "cur"))
        new = os.listdir(os.path.join(server.maildir, "new"))
        check(cur == [] and len(new) == 3 and all(":2," not in n for n in new),
              f"mailbox untouched: 3 files in new/, none moved or flagged (cur={cur})")

        # 2. A new message; the rerun processes only it and fetches only its body.
        server.deliver(b"From: Lena <lena@example.de>\r\nSubject: Retoure\r\nMessage-ID: <retoure-1@example.de>\r\n\r\n"
                       b"Ich moechte den Wasserkocher zuruecksenden.\r\n")
        sessions_before = len(server.sessions())
        env_pw = dict(env_no_pw, KOLIBRI_IMAP_PASSWORD=PASSWORD)
        r = run(["--input", url, "--json"] + tls_flag, env=env_pw)
        s = summary(r)
        check(r.returncode == 0, f"rerun exits 0 (got {r.returncode}: {r.stderr.strip()[-300:]})")
        check(s.get("processed") == 1 and s.get("skipped") == 3 and s.get("items") == 4,
              f"rerun processed only the new message (processed {s.get('processed')}, skipped {s.get('skipped')})")
        ids = [x["message_id"] for x in results()]
        check(len(ids) == 4 and len(set(ids)) == 4 and "retoure-1@example.de" in ids, "4 results, each id once")
        time.sleep(0.3)  # the server logs the session's end after the client has gone
        new_sessions = server.sessions()[sessions_before:]
        check(len(new_sessions) == 1 and body_count(new_sessions[0]) == 1,
              f"rerun fetched one message body (server log: {[body_count(x) for x in new_sessions]})")

        # 3. --watch picks up a message delivered while it runs.
        p = subprocess.Popen(common + ["--input", url, "--imap-password-file", pw_file, "--json", "--watch",
                                       "--watch-interval", "0.3", "--watch-for", "6"] + tls_flag,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_no_pw)
        time.sleep(1.5)
        server.deliver(b"From: Max <max@example.de>\r\nSubject: Lieferadresse\r\nMessage-ID: <watch-1@example.de>\r\n"
                       b"\r\nBitte aendern Sie meine Lieferadresse.\r\n")
        stdout, stderr = p.communicate(timeout=60)
        outputs.append(stdout + stderr)
        s = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
        check(p.returncode == 0, f"--watch run exits 0 (got {p.returncode}: {stderr.strip()[-300:]})")
        check(s.get("processed") == 1, f"--watch processed the message that arrived ({s.get('processed')})")
        ids = [x["message_id"] for x in results()]
        check(len(ids) == 5 and len(set(ids)) == 5 and "watch-1@example.de" in ids, "5 results, each id once")

        # The same mailbox through imap:// (STARTTLS when offered): Message-IDs and
        # imap:<uidvalidity>:<uid> ids keep every message from being processed twice.
        r = run(["--input", f"imap://alice@127.0.0.1:{server.port}/INBOX", "--json"] + tls_flag, env=env_pw)
        s = summary(r)
        check(r.returncode == 0 and s.get("processed") == 0 and s.get("skipped") == 5,
              f"another URL for the same mailbox processes nothing again (exit {r.returncode}, {s.get('processed')})")

        # 4. Errors: one clear line each, non-zero exit.
        def expect_error(args, code, says, what, env=None):
            r = run(args + ["--imap-password-file", pw_file] if env is None else args, env=env)
            lines = [x for x in r.stderr.splitlines() if x.strip()]
            ok = (r.returncode == code if code else r.returncode != 0) and len(lines) == 1 and says in r.stderr
            check(ok, f"{what}: exit {r.returncode}, stderr {lines}")

        expect_error(["--input", f"{scheme}://alice@127.0.0.1:{port}/NoSuchBox"] + tls_flag, 3, "NoSuchBox",
                     "missing mailbox")
        expect_error(["--input", f"imap://alice@127.0.0.1:{free_port()}/INBOX"], 0, "cannot reach",
                     "nothing listening")
        expect_error(["--input", f"imap://alice:{PASSWORD}@127.0.0.1:{port}/INBOX"], 2, "password",
                     "password in the URL")
        expect_error(["--input", url] + tls_flag, 2, "KOLIBRI_IMAP_PASSWORD", "no password", env=env_no_pw)
        if server.tls:
            expect_error(["--input", url], 0, "--imap-insecure", "self-signed certificate without --imap-insecure")

        # A mailbox with a message that cannot be used: the other one is processed.
        server.deliver(b"From: a@example.com\r\nSubject: leer\r\nMessage-ID: <empty-1@example.de>\r\n\r\n   \r\n",
                       folder=".Broken")
        server.deliver(b"From: b@example.com\r\nSubject: Frage\r\nMessage-ID: <fine-1@example.de>\r\n\r\n"
                       b"Wann kommt die Ware?\r\n", folder=".Broken")
        r = run(["--input", f"{scheme}://alice@127.0.0.1:{port}/Broken", "--imap-password-file", pw_file, "--json"]
                + tls_flag)
        s = summary(r)
        problems = s.get("problems", [])
        check(r.returncode == 4 and s.get("processed") == 1 and s.get("failed") == 1 and len(problems) == 1
              and "empty body" in problems[0].get("reason", "") and problems[0].get("source", "").endswith(";UID=1"),
              f"bad message reported, the rest processed, exit 4 (exit {r.returncode}, {problems})")

        # Last: after a failed login Dovecot delays that address's next logins (auth penalty).
        bad_pw = os.path.join(work, "wrong-password")
        with open(bad_pw, "w") as f:
            f.write("not-the-password\n")
        expect_error(["--input", url, "--imap-password-file", bad_pw] + tls_flag, 0, "refused the login",
                     "wrong password", env=env_no_pw)

        leaked = [o for o in outputs if PASSWORD in o]
        check(not leaked, "the password is in no output")
    finally:
        if started:
            check(server.stop(), "Dovecot stopped")
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        log(f"{len(failures)} check(s) failed")
        return 1
    log("pass")
    return 0


def on_term(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # runs the cleanup (ctest's timeout sends SIGTERM)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_term)
    sys.exit(main())
