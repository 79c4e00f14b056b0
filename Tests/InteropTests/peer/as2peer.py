#!/usr/bin/env python3
"""Interop peer for the Swift tests: pyas2lib 1.4.4 and the `openssl cms` CLI behind JSON lines.

One request per stdin line, ``{"id": n, "cmd": "...", ...}``; one response per stdout line,
``{"id": n, "ok": true, ...}`` or ``{"id": n, "ok": false, "error": "...", "traceback": "..."}``.
A bad request never ends the process; end of stdin or ``quit`` does. All payloads and messages
are passed as file paths. Commands: ping, build, parse, parse_mdn, build_raw, decompress, forget, sleep, quit
(see docs in each handler and Tests/InteropTests/Support/InteropPeer.swift).
"""

import collections
import json
import os
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peerlib  # noqa: E402  (installs the oscrypto fix, imports pyas2lib)
import rawbuild  # noqa: E402

# Messages built by this process, by Message-ID without brackets, for parse_mdn.
MAX_KEPT = 2000
built = collections.OrderedDict()


def cmd_ping(req):
    return {"pyas2lib": peerlib.PYAS2LIB_VERSION, "python": sys.version.split()[0], "pid": os.getpid()}


def cmd_build(req):
    """pyas2lib Message.build → captured file ``out``; the message is kept for parse_mdn."""
    if not req.get("out"):
        raise peerlib.PeerError("out path is required")
    message, headers, body, result = peerlib.build_message(req)
    peerlib.write_captured(req["out"], headers, body)
    message.payload = None  # keep only what Mdn.parse needs
    built[message.message_id] = message
    while len(built) > MAX_KEPT:
        built.popitem(last=False)
    return result


def cmd_parse(req):
    """pyas2lib Message.parse of a captured message; writes payload_out and mdn_out."""
    headers, body = peerlib.request_message(req, "message")
    _, _, result = peerlib.parse_message(req, headers, body)
    return result


def cmd_parse_mdn(req):
    """pyas2lib Mdn.parse of a captured MDN for a message built here (or described by 'expect')."""
    headers, body = peerlib.request_message(req, "mdn")
    wanted = (req.get("message_id") or "").strip("<>") or None

    def find(orig_id, recipient):
        key = wanted or orig_id
        if key in built:
            return built[key]
        if req.get("expect"):
            exp = dict(req["expect"])
            exp.setdefault("message_id", key)
            return peerlib.stub_message({"expect": exp})
        return None

    return peerlib.parse_mdn(headers, body, find)


def cmd_build_raw(req):
    """Sign/compress/encrypt layers in any order with the openssl CLI (see rawbuild.py)."""
    return rawbuild.build_raw(req)


def cmd_decompress(req):
    """CMS CompressedData (DER file ``in``, or a captured/MIME entity with ``entity: true``) → ``out``."""
    with open(req["in"], "rb") as f:
        data = f.read()
    if req.get("entity"):
        _, data = peerlib.split_captured(data)
    content = peerlib.decompress(data)
    with open(req["out"], "wb") as f:
        f.write(content)
    return {"size": len(content)}


def cmd_sleep(req):
    """Wait ``seconds`` before answering (tests of the caller's timeout handling)."""
    time.sleep(float(req.get("seconds", 0)))
    return {}


def cmd_forget(req):
    """Drop kept messages (all, or the ids listed)."""
    ids = req.get("message_ids")
    if ids is None:
        n = len(built)
        built.clear()
        return {"forgotten": n}
    n = 0
    for mid in ids:
        if built.pop(mid.strip("<>"), None) is not None:
            n += 1
    return {"forgotten": n}


COMMANDS = {
    "ping": cmd_ping,
    "build": cmd_build,
    "parse": cmd_parse,
    "parse_mdn": cmd_parse_mdn,
    "build_raw": cmd_build_raw,
    "decompress": cmd_decompress,
    "forget": cmd_forget,
    "sleep": cmd_sleep,
}


def handle(line):
    """One request line → (response dict, stop?)."""
    req_id = None
    try:
        req = json.loads(line)
        if not isinstance(req, dict):
            raise peerlib.PeerError("request must be a JSON object")
        req_id = req.get("id")
        cmd = req.get("cmd")
        if cmd == "quit":
            return {"id": req_id, "ok": True}, True
        handler = COMMANDS.get(cmd)
        if handler is None:
            raise peerlib.PeerError(f"unknown cmd {cmd!r}; one of {sorted(COMMANDS) + ['quit']}")
        started = time.perf_counter()
        result = handler(req)
        response = {"id": req_id, "ok": True}
        response.update(result)
        response["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return response, False
    except Exception as e:  # noqa: BLE001  (every failure is reported, none is fatal)
        return {
            "id": req_id,
            "ok": False,
            "error": f"{type(e).__name__}: {e}",
            "traceback": traceback.format_exc(),
        }, False


def main():
    # A child inherits its parent thread's signal mask: one spawned from a Swift concurrency
    # (libdispatch) thread starts with SIGTERM blocked; let SIGTERM end the peer as usual.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        response, stop = handle(line)
        out.write(json.dumps(response) + "\n")
        out.flush()
        if stop:
            break


if __name__ == "__main__":
    main()
