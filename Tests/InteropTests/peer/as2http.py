#!/usr/bin/env python3
"""A pyas2lib 1.4.4 AS2 peer over HTTP on 127.0.0.1, for the HTTP interop tests and benchmarks.

  as2http.py serve --port P --config CONFIG [--exit-on-stdin-eof]
      Receives AS2 POSTs with pyas2lib, stores payloads as <inbox>/<filename>, answers a sync MDN
      or POSTs an async MDN to the Receipt-Delivery-Option URL, and accepts async MDNs for the
      messages this process sent. Prints {"ready": true, "port": P} once listening, then one JSON
      event line per request with its timing. Exits cleanly on SIGTERM/SIGINT (and on stdin EOF
      with --exit-on-stdin-eof).

  as2http.py send --url URL --file F --config CONFIG [--partner NAME] [--mdn-mode M]
                  [--mdn-port P] [--timeout S] [--count N] [--threads T] [--summary-only]
      Builds with pyas2lib, POSTs, reads the sync MDN or waits for the async one on its own port,
      verifies it with pyas2lib and prints one JSON object {"ok", "results", "summary"}.
      Exit status 0 when every message got a "processed" MDN whose MIC matched (or no MDN was
      requested and the POST succeeded), 1 otherwise, 2 on bad usage.

CONFIG is a JSON file path or an inline JSON object:
  {"as2_name": "globex", "key": "...pem", "cert": "...pem", "key_password": null, "p12": null,
   "domain": null, "inbox": "/dir", "mdn_dir": "/dir" (optional: every MDN sent/received, captured),
   "http_failures": [503] (serve: statuses answered to the first requests, before normal work),
   "partners": [{"as2_name": "acme", "name": "acme" (send --partner), "partner_cert": "...pem", "validate_certs": true,
                 "sign_required": false, "encrypt_required": false,            (receiving policy)
                 "sign": "sha256", "sign_alg": "rsassa_pkcs1v15", "encrypt": "aes_256_cbc",
                 "key_enc_alg": "rsaes_pkcs1v15", "compress": false, "mdn_mode": "sync",
                 "mdn_digest_alg": "sha256", "content_type": "application/octet-stream",
                 "url": "http://127.0.0.1:P/as2"}]}                            (sending)
"""

import argparse
import http.client
import itertools
import json
import os
import re
import signal
import statistics
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peerlib  # noqa: E402  (installs the oscrypto fix, imports pyas2lib)

HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive", "expect", "te", "host", "content-length"}
_print_lock = threading.Lock()
_events_to_stderr = False  # send: stdout carries only the result object


def emit(obj, event=True):
    """One JSON line: events and the ready line on stdout (stderr in send mode), results on stdout."""
    stream = sys.stderr if (event and _events_to_stderr) else sys.stdout
    with _print_lock:
        stream.write(json.dumps(obj) + "\n")
        stream.flush()


def load_config(text):
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)
    with open(text, "r", encoding="utf-8") as f:
        return json.load(f)


def ms_since(t0):
    return round((time.perf_counter() - t0) * 1000, 3)


def safe_filename(name, fallback):
    """Last path component without control characters or leading dots (requirements R-PL-5)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f:]", "_", base).lstrip(".").strip()
    if not base:
        base = re.sub(r"[^A-Za-z0-9._-]", "_", fallback).lstrip(".") or "message"
    return base[:200]


def unique_path(directory, name):
    path = os.path.join(directory, name)
    stem, ext = os.path.splitext(name)
    for n in itertools.count(1):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            os.close(fd)
            return path
        except FileExistsError:
            path = os.path.join(directory, f"{stem}.{n}{ext}")
    raise AssertionError("unreachable")


class Peer:
    """State shared by the request handlers: configuration, sent messages, received IDs."""

    def __init__(self, config):
        self.config = config
        self.as2_name = config["as2_name"]
        self.partners = {p["as2_name"]: p for p in config.get("partners", [])}
        self.lock = threading.Condition()
        self.sent = {}         # message id → pyas2lib Message (for async MDNs)
        self.mdn_results = {}  # message id → parse_mdn result
        self.received = set()  # (as2_from, message id) processed, for duplicate detection
        self.failures = list(config.get("http_failures") or [])
        self.org_spec = {k: config.get(k) for k in ("key", "cert", "p12", "key_password", "domain")}
        for key in ("inbox", "mdn_dir"):
            if config.get(key):
                os.makedirs(config[key], exist_ok=True)

    def next_failure(self):
        with self.lock:
            return self.failures.pop(0) if self.failures else None

    def save_mdn(self, kind, message_id, headers, body):
        if self.config.get("mdn_dir"):
            name = safe_filename(f"{kind}-{message_id}.mdn", "mdn")
            peerlib.write_captured(unique_path(self.config["mdn_dir"], name), headers, body)

    # -- receiving a message -------------------------------------------------------------------

    def receive_message(self, headers, body):
        """pyas2lib parse; returns (result, mdn headers, mdn body, mdn) ready for the response."""
        as2_to = peerlib.unquote_as2name(peerlib.header(headers, "as2-to", ""))
        as2_from = peerlib.unquote_as2name(peerlib.header(headers, "as2-from", ""))
        partner = self.partners.get(as2_from, {})
        req = dict(partner)
        req.update(self.org_spec)
        req["org_as2_name"] = self.as2_name
        req["partner_as2_name"] = as2_from if partner else "\x00unknown"
        with self.lock:
            req["known_message_ids"] = [mid for (frm, mid) in self.received if frm == as2_from]
        def payload_path(result):
            if not self.config.get("inbox"):
                return None
            fallback = (result["message_id"] or "message") + ".msg"
            return unique_path(self.config["inbox"], safe_filename(result["filename"], fallback))

        _, mdn, result = peerlib.parse_message(req, headers, body, payload_path)
        result.pop("traceback", None)
        if result["status"] == "processed":
            with self.lock:
                self.received.add((as2_from, result["message_id"]))
        mdn_headers, mdn_body = (peerlib.mdn_wire(mdn) if mdn is not None else (None, None))
        if mdn is not None:
            self.save_mdn("sent", result["message_id"] or "unknown", mdn_headers, mdn_body)
        return result, mdn_headers, mdn_body, mdn

    # -- MDNs for messages we sent -------------------------------------------------------------

    def register(self, message):
        with self.lock:
            self.sent[message.message_id] = message

    def receive_mdn(self, headers, body):
        def find(orig_id, recipient):
            with self.lock:
                return self.sent.get(orig_id)

        result = peerlib.parse_mdn(headers, body, find)
        oid = result["original_message_id"]
        self.save_mdn("received", oid or "unknown", headers, body)
        if result["message_found"]:
            with self.lock:
                self.mdn_results[oid] = result
                self.lock.notify_all()
        return result

    def wait_mdn(self, message_id, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while message_id not in self.mdn_results:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.lock.wait(left)
            return self.mdn_results.pop(message_id)


class Handler(BaseHTTPRequestHandler):
    """AS2 endpoint: messages on any path, async MDNs recognised by their content."""

    protocol_version = "HTTP/1.1"
    server_version = "as2http-pyas2lib/" + peerlib.PYAS2LIB_VERSION
    peer = None  # set on the subclass made for each server

    def log_message(self, fmt, *args):  # keep stderr quiet; events go to stdout
        pass

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def respond(self, status, headers=(), body=b""):
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        self.respond(200, [("Content-Type", "text/plain")], b"as2http ready\n")

    def do_POST(self):
        t0 = time.perf_counter()
        body = self.read_body()
        receive_ms = ms_since(t0)
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
        failure = self.peer.next_failure()
        if failure:
            self.respond(int(failure), [("Content-Type", "text/plain")], b"injected failure\n")
            emit({"event": "injected_failure", "status": int(failure), "path": self.path})
            return
        try:
            if peerlib.is_mdn(headers, body):
                result = self.peer.receive_mdn(headers, body)
                self.respond(200)
                emit({"event": "mdn_received", "original_message_id": result["original_message_id"],
                      "matched": result["message_found"], "status": result["status"],
                      "detailed_status": result["detailed_status"], "mic_matched": result["mic_matched"],
                      "signature_verified": result["signature_verified"], "bytes": len(body),
                      "receive_ms": receive_ms, "total_ms": ms_since(t0)})
                return
            t1 = time.perf_counter()
            result, mdn_headers, mdn_body, mdn = self.peer.receive_message(headers, body)
            parse_ms = ms_since(t1)
            mode = (mdn.mdn_mode or "").lower() if mdn is not None else None
            if mode == "sync":
                self.respond(200, mdn_headers, mdn_body)
            else:
                self.respond(200)
            event = {"event": "message", "message_id": result["message_id"],
                     "as2_from": peerlib.header(headers, "as2-from"), "as2_to": peerlib.header(headers, "as2-to"),
                     "status": result["status"], "detailed_status": result["detailed_status"],
                     "exception": result["exception"], "filename": result["filename"],
                     "stored_path": result.get("stored_path"), "bytes": len(body),
                     "signed": result["signed"], "encrypted": result["encrypted"],
                     "compressed": result["compressed"], "mic": result["mic"], "mdn_mode": mode,
                     "mdn_disposition": result["mdn"]["disposition"] if result["mdn"] else None,
                     "receive_ms": receive_ms, "parse_ms": parse_ms, "total_ms": ms_since(t0)}
            emit(event)
            if mode == "async":
                threading.Thread(target=post_async_mdn, args=(mdn.mdn_url, mdn_headers, mdn_body,
                                                              result["message_id"]), daemon=True).start()
        except Exception as e:  # noqa: BLE001  (a peer must answer, whatever happens)
            self.respond(500, [("Content-Type", "text/plain")], f"{type(e).__name__}: {e}\n".encode())
            emit({"event": "error", "error": f"{type(e).__name__}: {e}", "total_ms": ms_since(t0)})


def post(url, headers, body, timeout=60):
    """POST bytes; returns (status, response headers, response body)."""
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http":
        raise ValueError(f"only http:// URLs are supported here, not {url}")
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
    try:
        conn.putrequest("POST", (u.path or "/") + (f"?{u.query}" if u.query else ""))
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding", "host"):
                conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        conn.send(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, [(k, v) for k, v in resp.getheaders()], data
    finally:
        conn.close()


def post_async_mdn(url, headers, body, message_id):
    t0 = time.perf_counter()
    event = {"event": "async_mdn_sent", "message_id": message_id, "url": url}
    try:
        status, _, _ = post(url, headers, body)
        event["http_status"] = status
    except Exception as e:  # noqa: BLE001
        event["error"] = f"{type(e).__name__}: {e}"
    event["ms"] = ms_since(t0)
    emit(event)


def start_server(peer, port):
    handler = type("BoundHandler", (Handler,), {"peer": peer})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return server


# ---------------------------------------------------------------------------------------------

def cmd_serve(args):
    peer = Peer(load_config(args.config))
    server = start_server(peer, args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # A child inherits its parent thread's signal mask: one spawned from a Swift concurrency
    # (libdispatch) thread starts with SIGTERM blocked and would never see it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    if args.exit_on_stdin_eof:
        def watch_stdin():
            # os.read: a daemon thread blocked in sys.stdin's buffered reader holds its lock and
            # makes interpreter shutdown abort.
            while os.read(0, 4096):
                pass
            stop.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    emit({"ready": True, "port": server.server_address[1], "pid": os.getpid()})
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    emit({"event": "stopped"})
    return 0


def send_one(peer, partner, args, mdn_url):
    req = dict(partner)
    req.update(peer.org_spec)
    req.update({"as2_from": peer.as2_name, "as2_to": partner["as2_name"], "payload": args.file,
                "mdn_url": mdn_url, "filename": partner.get("filename") or os.path.basename(args.file)})
    if req.get("mdn_mode") == "async" and not mdn_url:
        raise peerlib.PeerError("async MDN needs the send command's own server")
    t0 = time.perf_counter()
    message, headers, body, built = peerlib.build_message(req)
    build_ms = ms_since(t0)
    peer.register(message)
    t1 = time.perf_counter()
    status, resp_headers, resp_body = post(args.url, headers, body, timeout=args.timeout)
    post_ms = ms_since(t1)
    result = {"message_id": message.message_id, "http_status": status, "mdn_mode": req.get("mdn_mode"),
              "mic": built["mic"], "mic_alg": built["mic_alg"], "bytes": len(body),
              "build_ms": build_ms, "post_ms": post_ms}
    mdn = None
    if req.get("mdn_mode") == "sync" and 200 <= status < 300:
        resp_headers = [(k, v) for k, v in resp_headers if k.lower() not in HOP_BY_HOP]
        if resp_body:
            peer.save_mdn("received", message.message_id, resp_headers, resp_body)
            mdn = peerlib.parse_mdn(resp_headers, resp_body,
                                    lambda oid, rcpt: message if oid == message.message_id else None)
    elif req.get("mdn_mode") == "async" and 200 <= status < 300:
        t2 = time.perf_counter()
        mdn = peer.wait_mdn(message.message_id, args.timeout)
        result["mdn_wait_ms"] = ms_since(t2)
    result["mdn"] = mdn
    result["total_ms"] = ms_since(t0)
    if not req.get("mdn_mode"):
        result["ok"] = 200 <= status < 300
    else:
        result["ok"] = bool(mdn and mdn["status"] == "processed" and mdn["mic_matched"] is not False
                            and (mdn["signature_verified"] or not req.get("mdn_digest_alg")))
    with peer.lock:
        peer.sent.pop(message.message_id, None)
    return result


def cmd_send(args):
    global _events_to_stderr
    _events_to_stderr = True
    config = load_config(args.config)
    peer = Peer(config)
    entries = config.get("partners") or []
    if not entries:
        print("config has no partners", file=sys.stderr)
        return 2
    name = args.partner or entries[0].get("name") or entries[0]["as2_name"]
    partner = next((p for p in entries if (p.get("name") or p["as2_name"]) == name), None)
    if partner is None:
        print(f"unknown partner {name}", file=sys.stderr)
        return 2
    partner = dict(partner)
    if args.mdn_mode:
        partner["mdn_mode"] = None if args.mdn_mode == "none" else args.mdn_mode
    server, mdn_url = None, None
    if partner.get("mdn_mode") == "async":
        server = start_server(peer, args.mdn_port)
        mdn_url = f"http://127.0.0.1:{server.server_address[1]}/mdn"
    results, lock, counter = [], threading.Lock(), itertools.count()
    t0 = time.perf_counter()

    def worker():
        while next(counter) < args.count:
            try:
                r = send_one(peer, partner, args, mdn_url)
            except Exception as e:  # noqa: BLE001
                r = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            with lock:
                results.append(r)

    threads = [threading.Thread(target=worker) for _ in range(max(1, min(args.threads, args.count)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if server is not None:
        server.shutdown()
        server.server_close()
    totals = sorted(r["total_ms"] for r in results if "total_ms" in r)
    summary = {"count": len(results), "ok": sum(1 for r in results if r.get("ok")),
               "elapsed_s": round(elapsed, 3), "messages_per_s": round(len(results) / elapsed, 2) if elapsed else None,
               "p50_ms": statistics.median(totals) if totals else None,
               "p99_ms": totals[min(len(totals) - 1, int(len(totals) * 0.99))] if totals else None,
               "mdn_url": mdn_url}
    all_ok = summary["ok"] == summary["count"] == args.count
    emit({"ok": all_ok, "results": [] if args.summary_only else results, "summary": summary}, event=False)
    return 0 if all_ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="receive AS2 messages and async MDNs")
    s.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    s.add_argument("--config", required=True, help="JSON file path or inline JSON object")
    s.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when stdin closes")
    c = sub.add_parser("send", help="send a file and verify its MDN")
    c.add_argument("--url", required=True, help="the receiver's AS2 URL")
    c.add_argument("--file", required=True, help="payload file")
    c.add_argument("--config", required=True, help="JSON file path or inline JSON object")
    c.add_argument("--partner", help="partner 'name' (default: its as2_name) in the config (default: the first)")
    c.add_argument("--mdn-mode", choices=["sync", "async", "none"], help="override the partner's mdn_mode")
    c.add_argument("--mdn-port", type=int, default=0, help="port for async MDNs (0: any free port)")
    c.add_argument("--timeout", type=float, default=60, help="HTTP and async-MDN timeout, seconds")
    c.add_argument("--count", type=int, default=1, help="messages to send (benchmarks)")
    c.add_argument("--threads", type=int, default=1, help="parallel senders (benchmarks)")
    c.add_argument("--summary-only", action="store_true", help="omit per-message results")
    args = parser.parse_args(argv)
    try:
        return cmd_serve(args) if args.command == "serve" else cmd_send(args)
    except (OSError, ValueError, KeyError, peerlib.PeerError) as e:
        print(f"as2http: {type(e).__name__}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
