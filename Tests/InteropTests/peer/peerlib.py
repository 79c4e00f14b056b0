"""pyas2lib 1.4.4 driven the way a real pyas2lib deployment drives it, for the interop tests.

Shared by as2peer.py (JSON lines on stdin/stdout) and as2http.py (an HTTP AS2 peer). Everything
here works on files and plain dicts so that callers never hold protocol state they did not ask for.

The "captured" form of an HTTP message is: header lines ``Name: value\\r\\n``, an empty line
``\\r\\n``, then the exact body bytes.
"""

import base64
import contextvars
import email
import email.parser
import hashlib
import os
import re
import threading

import oscrypto_fix  # noqa: F401  (must run before pyas2lib imports oscrypto)

import pyas2lib
from asn1crypto import cms
import pyas2lib.as2 as as2
import pyas2lib.cms as as2cms
from pyas2lib.exceptions import MDNNotFound
from pyas2lib.utils import unquote_as2name  # noqa: F401  (re-exported for as2http)

PYAS2LIB_VERSION = pyas2lib.__version__
DIGESTS = ("sha1", "sha224", "sha256", "sha384", "sha512")


class PeerError(Exception):
    """A bad request: reported to the caller as an error response, never fatal."""


# ---------------------------------------------------------------------------------------------
# Captured form

def write_captured(path, headers, body):
    """Write ``headers`` (list of (name, value)) and ``body`` (bytes) in captured form."""
    with open(path, "wb") as f:
        for name, value in headers:
            f.write(f"{name}: {unfold(value)}\r\n".encode("utf-8"))
        f.write(b"\r\n")
        f.write(body)


def read_captured(path):
    """Return (headers, body) from a captured file. Accepts CRLF or bare LF header lines."""
    with open(path, "rb") as f:
        data = f.read()
    return split_captured(data)


def split_captured(data):
    """Split captured bytes into (headers, body)."""
    crlf = data.find(b"\r\n\r\n")
    lf = data.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        head, body = data[:crlf], data[crlf + 4:]
    elif lf >= 0:
        head, body = data[:lf], data[lf + 2:]
    elif data.startswith(b"\r\n"):
        head, body = b"", data[2:]
    else:
        raise PeerError("captured message has no empty line after the headers")
    headers = []
    for raw in re.split(rb"\r?\n", head):
        if not raw:
            continue
        if raw[:1] in (b" ", b"\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + " " + raw.strip().decode("utf-8", "surrogateescape"))
            continue
        name, sep, value = raw.partition(b":")
        if not sep:
            raise PeerError(f"bad header line in captured message: {raw[:80]!r}")
        headers.append((name.decode("ascii").strip(), value.strip().decode("utf-8", "surrogateescape")))
    return headers, body


def captured_bytes(headers, body):
    """The captured form as bytes (what pyas2lib's parse functions take as raw_content)."""
    head = "".join(f"{n}: {unfold(v)}\r\n" for n, v in headers).encode("utf-8", "surrogateescape")
    return head + b"\r\n" + body


def unfold(value):
    """One header line: CR/LF (and folding) replaced by a single space."""
    return re.sub(r"\r?\n[ \t]*", " ", str(value))


def header(headers, name, default=None):
    """First value of header ``name`` (case-insensitive)."""
    lname = name.lower()
    for n, v in headers:
        if n.lower() == lname:
            return v
    return default


def apply_header_overrides(headers, overrides):
    """Replace same-named headers (case-insensitive) or append; a None value removes the header."""
    result = list(headers)
    for name, value in overrides or []:
        lname = name.lower()
        idx = [i for i, (n, _) in enumerate(result) if n.lower() == lname]
        for i in reversed(idx[1:]):
            del result[i]
        if value is None:
            if idx:
                del result[idx[0]]
        elif idx:
            result[idx[0]] = (name, value)
        else:
            result.append((name, value))
    return result


def request_message(req, key="message"):
    """(headers, body) of a request given either as a captured file or as headers + body file."""
    if req.get(key):
        return read_captured(req[key])
    if req.get("headers") is not None and req.get("body"):
        with open(req["body"], "rb") as f:
            return [tuple(h) for h in req["headers"]], f.read()
    raise PeerError(f"need '{key}' (captured file) or 'headers' + 'body'")


# ---------------------------------------------------------------------------------------------
# Digests

def b64digest(alg, data):
    return base64.b64encode(hashlib.new(alg, data).digest()).decode("ascii")


def all_digests(data):
    return {alg: b64digest(alg, data) for alg in DIGESTS}


def normalize_alg(name):
    """'SHA-256', 'sha_256', 'rsa-sha256', 'sha2_256' → 'sha256' (requirements §3.6)."""
    if name is None:
        return None
    n = name.strip().lower().replace("-", "").replace("_", "")
    if n.startswith("rsa"):
        n = n[3:]
    if n.startswith("sha2") and len(n) == 7:  # sha2256 → sha256
        n = "sha" + n[4:]
    return n


def first_part_bytes(entity, boundary):
    """Bytes of the first body part of a multipart (requirements §3.2): from after the CRLF that
    ends the opening delimiter line up to, not including, the CRLF before the next delimiter."""
    delim = b"--" + boundary.encode("ascii")
    start = entity.find(delim)
    if start < 0:
        raise PeerError("multipart boundary not found")
    line_end = entity.find(b"\n", start)
    if line_end < 0:
        raise PeerError("multipart opening delimiter has no line end")
    begin = line_end + 1
    nxt = entity.find(b"\r\n" + delim, begin)
    if nxt < 0:
        nxt = entity.find(b"\n" + delim, begin)
        if nxt < 0:
            raise PeerError("multipart has no second delimiter")
    return entity[begin:nxt]


def boundary_of(content_type):
    m = re.search(r'boundary\s*=\s*"?([^";]+)"?', content_type or "", re.I)
    return m.group(1).strip() if m else None


# ---------------------------------------------------------------------------------------------
# Keys, organizations, partners

_key_cache = {}
_key_lock = threading.Lock()


def _read(path, what):
    if not path:
        raise PeerError(f"{what} path missing")
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise PeerError(f"cannot read {what} {path}: {e}") from e


def load_key_pair(key=None, cert=None, p12=None, password=None):
    """pyas2lib's (key, cert) tuple from PEM key + cert paths or a PKCS#12 path, cached."""
    paths = (p12,) if p12 else (key, cert)
    stamp = tuple((p, os.stat(p).st_mtime_ns) if p and os.path.exists(p) else (p, None) for p in paths)
    cache_key = (stamp, password)
    with _key_lock:
        if cache_key in _key_cache:
            return _key_cache[cache_key]
    if p12:
        blob = _read(p12, "PKCS#12")
    else:
        blob = _read(key, "private key") + b"\n" + _read(cert, "certificate")
    pw = password.encode("utf-8") if isinstance(password, str) else password
    pair = as2.Organization.load_key(blob, pw)
    with _key_lock:
        _key_cache[cache_key] = pair
    return pair


def make_organization(as2_name, spec, mdn_url=None):
    """An Organization with keys from ``spec`` (key/cert/p12/key_password), if any."""
    org = as2.Organization(as2_name=as2_name, mdn_url=mdn_url, domain=spec.get("domain"))
    if spec.get("mdn_confirm_text"):
        org.mdn_confirm_text = spec["mdn_confirm_text"]
    if spec.get("key") or spec.get("p12"):
        pair = load_key_pair(spec.get("key"), spec.get("cert"), spec.get("p12"), spec.get("key_password"))
        org.sign_key = pair
        org.decrypt_key = pair
    return org


def make_partner(as2_name, spec, **settings):
    """A Partner whose verify/encrypt certificate is ``spec['partner_cert']``."""
    cert = _read(spec["partner_cert"], "partner certificate") if spec.get("partner_cert") else None
    ca = _read(spec["partner_ca_cert"], "partner CA certificate") if spec.get("partner_ca_cert") else None
    return as2.Partner(
        as2_name=as2_name,
        verify_cert=cert,
        verify_cert_ca=ca,
        encrypt_cert=cert,
        encrypt_cert_ca=ca,
        validate_certs=spec.get("validate_certs", True),
        **settings,
    )


# ---------------------------------------------------------------------------------------------
# In-memory hooks on pyas2lib's CMS helpers (pyas2lib.as2 imported them by name)
#
# * record the bytes pyas2lib compresses / encrypts / signs, so the MIC the RFC prescribes can be
#   computed from what was really wrapped;
# * pass Partner.key_enc_alg to encrypt_message: pyas2lib 1.4.4's Message.build ignores it.

_capture = contextvars.ContextVar("as2peer_capture", default=None)


def _wrap_compress(data):
    cap = _capture.get()
    if cap is not None:
        cap.setdefault("compress_in", data)
    return as2cms.compress_message(data)


def _wrap_encrypt(data, enc_alg, cert, key_enc_alg=None):
    cap = _capture.get()
    if cap is not None:
        cap.setdefault("encrypt_in", data)
        key_enc_alg = key_enc_alg or cap.get("key_enc_alg")
    return as2cms.encrypt_message(data, enc_alg, cert, key_enc_alg or "rsaes_pkcs1v15")


def _wrap_sign(data, digest_alg, key, sign_alg="rsassa_pkcs1v15", *args, **kwargs):
    cap = _capture.get()
    if cap is not None:
        cap.setdefault("sign_in", data)
    return as2cms.sign_message(data, digest_alg, key, sign_alg, *args, **kwargs)


as2.compress_message = _wrap_compress
as2.encrypt_message = _wrap_encrypt
as2.sign_message = _wrap_sign


# ---------------------------------------------------------------------------------------------
# build

_MDN_MODES = {None: None, "sync": "SYNC", "async": "ASYNC"}


def build_message(req):
    """pyas2lib Message.build from a payload file; returns (message, headers, body, result dict)."""
    as2_from, as2_to = req.get("as2_from"), req.get("as2_to")
    if not as2_from or not as2_to:
        raise PeerError("as2_from and as2_to are required")
    mdn_mode = _MDN_MODES.get(req.get("mdn_mode"), "invalid")
    if mdn_mode == "invalid":
        raise PeerError("mdn_mode must be null, 'sync' or 'async'")
    if mdn_mode == "ASYNC" and not req.get("mdn_url"):
        raise PeerError("mdn_mode 'async' needs mdn_url")
    sender = make_organization(as2_from, req, mdn_url=req.get("mdn_url"))
    receiver = make_partner(
        as2_to,
        req,
        sign=bool(req.get("sign")),
        digest_alg=req.get("sign") or "sha256",
        sign_alg=req.get("sign_alg") or "rsassa_pkcs1v15",
        encrypt=bool(req.get("encrypt")),
        enc_alg=req.get("encrypt") or "tripledes_192_cbc",
        key_enc_alg=req.get("key_enc_alg") or "rsaes_pkcs1v15",
        compress=bool(req.get("compress")),
        mdn_mode=mdn_mode,
        mdn_digest_alg=req.get("mdn_digest_alg"),
    )
    data = _read(req.get("payload"), "payload")
    message = as2.Message(sender, receiver)
    cap = {"key_enc_alg": receiver.key_enc_alg}
    token = _capture.set(cap)
    try:
        kwargs = {}
        if req.get("disposition_notification_to"):
            kwargs["disposition_notification_to"] = req["disposition_notification_to"]
        message.build(
            data,
            filename=req.get("filename"),
            subject=req.get("subject") or "AS2 Message",
            content_type=req.get("content_type") or "application/edi-consent",
            message_id=req.get("message_id"),
            **kwargs,
        )
    finally:
        _capture.reset(token)
    headers = [(k, v) for k, v in message.headers.items()]
    headers = apply_header_overrides(headers, req.get("headers"))
    body = message.content
    if isinstance(body, str):
        body = body.encode("utf-8")

    mic_input, mic_alg = rfc_mic_input(message, headers, body, cap, req)
    result = {
        "message_id": message.message_id,
        "mic": message.mic.decode("ascii") if message.mic else None,
        "mic_alg": message.digest_alg if message.mic else None,
        "rfc_mic": b64digest(mic_alg, mic_input),
        "rfc_mic_alg": mic_alg,
        "rfc_mics": all_digests(mic_input),
        "headers": [[n, v] for n, v in headers],
        "body_size": len(body),
        "signed": message.signed,
        "encrypted": message.encrypted,
        "compressed": message.compressed,
    }
    if req.get("mic_input_out"):
        with open(req["mic_input_out"], "wb") as f:
            f.write(mic_input)
    return message, headers, body, result


def rfc_mic_input(message, headers, body, cap, req):
    """The bytes requirements §3.2 hashes for this message, taken from what pyas2lib wrapped."""
    if message.signed:
        if message.encrypted:
            entity = cap["encrypt_in"]
            ctype = _entity_ctype(entity)
        else:
            entity, ctype = body, header(headers, "content-type")
        return first_part_bytes(entity, boundary_of(ctype)), normalize_alg(message.digest_alg)
    alg = normalize_alg(req.get("mdn_digest_alg")) or "sha1"
    if message.compressed:
        return cap["compress_in"], alg
    if message.encrypted:
        return cap["encrypt_in"], alg
    return body, alg


def _entity_ctype(entity):
    parsed = email.parser.BytesHeaderParser().parsebytes(entity)
    return parsed.get("Content-Type")


# ---------------------------------------------------------------------------------------------
# parse (receiving side)

def parse_message(req, headers, body, payload_path=None):
    """pyas2lib Message.parse of a received message; returns (message, mdn, result dict).

    The payload of a processed message goes to ``req['payload_out']``, or to the path that
    ``payload_path(result)`` returns."""
    org_name = req.get("org_as2_name")
    partner_name = req.get("partner_as2_name")
    org_spec = {k: req.get(k) for k in ("key", "cert", "p12", "key_password", "domain", "mdn_confirm_text")}
    known = set(req.get("known_message_ids") or [])

    def find_org_partner(as2_to, as2_from):
        org = None
        if org_name is None or org_name == as2_to:
            org = make_organization(as2_to, org_spec)
        partner = None
        if partner_name is None or partner_name == as2_from:
            partner = make_partner(
                as2_from,
                req,
                sign=bool(req.get("sign_required")),
                encrypt=bool(req.get("encrypt_required")),
                canonicalize_as_binary=bool(req.get("canonicalize_as_binary")),
                sign_alg=req.get("mdn_sign_alg") or "rsassa_pkcs1v15",
            )
            if req.get("mdn_confirm_text"):
                partner.mdn_confirm_text = req["mdn_confirm_text"]
        return org, partner

    def find_message(message_id, partner_id):
        return message_id in known or ("<" + message_id + ">") in known

    message = as2.Message()
    raw = captured_bytes(headers, body)
    status, (exc, tb), mdn = message.parse(
        raw, find_org_partner_cb=find_org_partner, find_message_cb=find_message
    )
    detailed = None
    if exc is not None:
        detailed = getattr(exc, "disposition_modifier", None) or "unexpected-processing-error"
    result = {
        "status": status,
        "detailed_status": detailed,
        "disposition": status + (f": {detailed}" if detailed else ""),
        "exception": str(exc) if exc is not None else None,
        "exception_type": type(exc).__name__ if exc is not None else None,
        "traceback": tb,
        "message_id": message.message_id,
        "mic": message.mic.decode("ascii") if message.mic else None,
        "mic_alg": message.digest_alg if message.mic else None,
        "signed": message.signed,
        "encrypted": message.encrypted,
        "compressed": message.compressed,
        "enc_alg": message.enc_alg,
        "cipher": content_encryption_alg(body) if message.encrypted else None,
        "digest_alg": message.digest_alg,
        "filename": None,
        "content_type": None,
        "payload_size": None,
        "payload_written": False,
        "stored_path": None,
        "mdn": None,
    }
    if status == "processed" and message.payload is not None:
        result["filename"] = message.payload.get_filename()
        result["content_type"] = message.payload.get_content_type()
        content = message.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        result["payload_size"] = len(content)
        out = req.get("payload_out") or (payload_path(result) if payload_path else None)
        if out:
            with open(out, "wb") as f:
                f.write(content)
            result["payload_written"] = True
            result["stored_path"] = out
    if mdn is not None:
        mdn_headers, mdn_body = mdn_wire(mdn)
        summary = summarize_mdn(mdn_headers, mdn_body)
        summary["mode"] = (mdn.mdn_mode or "").lower() or None
        summary["url"] = mdn.mdn_url
        result["mdn"] = summary
        if req.get("mdn_out"):
            write_captured(req["mdn_out"], mdn_headers, mdn_body)
    return message, mdn, result


def content_encryption_alg(der):
    """asn1crypto's name of the content-encryption algorithm of an EnvelopedData, or None."""
    try:
        info = cms.ContentInfo.load(der)
        return info["content"]["encrypted_content_info"]["content_encryption_algorithm"]["algorithm"].native
    except Exception:  # noqa: BLE001  (not DER EnvelopedData: nothing to report)
        return None


def decompress(der):
    """The content of a DER CMS CompressedData (RFC 3274)."""
    info = cms.ContentInfo.load(der)
    if info["content_type"].native != "compressed_data":
        raise PeerError(f"not CompressedData but {info['content_type'].native}")
    return info["content"].decompressed


def mdn_wire(mdn):
    """(headers, body) of a pyas2lib Mdn as it goes on the wire (sync response or async POST)."""
    headers = [(k, unfold(v)) for k, v in mdn.headers.items()]
    body = mdn.content
    if isinstance(body, str):
        body = body.encode("utf-8")
    return headers, body


def summarize_mdn(headers, body):
    """Disposition, MIC and identity fields read from an MDN (tolerant; never verifies)."""
    msg = email.message_from_bytes(captured_bytes(headers, body))
    fields = {}
    for part in msg.walk():
        if part.get_content_type() == "message/disposition-notification":
            fields = disposition_fields(part)
            break
    mic_field = fields.get("received-content-mic")
    mic, mic_alg = None, None
    if mic_field:
        mic, _, mic_alg = mic_field.partition(",")
        mic, mic_alg = mic.strip(), mic_alg.strip() or None
    return {
        "signed": msg.get_content_type() == "multipart/signed",
        "micalg": msg.get_param("micalg") if msg.get_content_type() == "multipart/signed" else None,
        "message_id": header(headers, "message-id"),
        "as2_from": header(headers, "as2-from"),
        "as2_to": header(headers, "as2-to"),
        "disposition": fields.get("disposition"),
        "original_message_id": fields.get("original-message-id"),
        "received_mic": mic,
        "received_mic_alg": mic_alg,
        "fields": fields,
    }


def disposition_fields(part):
    """Fields of a message/disposition-notification part as a lower-cased dict."""
    payload = part.get_payload()
    blocks = []
    if isinstance(payload, list):
        blocks = payload
    else:
        raw = part.get_payload(decode=True) or b""
        blocks = [email.parser.BytesHeaderParser().parsebytes(raw)]
    fields = {}
    for block in blocks:
        for k, v in block.items():
            fields.setdefault(k.lower(), unfold(v).strip())
    return fields


# ---------------------------------------------------------------------------------------------
# parse_mdn (sending side)

def parse_mdn(headers, body, find_message):
    """pyas2lib Mdn.parse; ``find_message(orig_id, recipient)`` returns the original Message."""
    raw = captured_bytes(headers, body)
    summary = summarize_mdn(headers, body)
    found = {}

    def find(orig_id, recipient):
        m = find_message(orig_id, recipient)
        found["message"] = m
        return m

    mdn = as2.Mdn()
    status, detailed = mdn.parse(raw, find)
    orig = found.get("message")
    expected = orig.mic.decode("ascii") if orig is not None and orig.mic else None
    received = summary["received_mic"]
    mic_matched = None
    if expected is not None and received is not None:
        mic_matched = _b64_equal(expected, received)
    return {
        "status": status,
        "detailed_status": detailed,
        "original_message_id": mdn.orig_message_id,
        "message_found": orig is not None,
        "mdn_message_id": mdn.message_id,
        "signed": summary["signed"],
        "signature_verified": bool(summary["signed"] and mdn.digest_alg),
        "digest_alg": mdn.digest_alg,
        "disposition": summary["disposition"],
        "received_mic": received,
        "received_mic_alg": summary["received_mic_alg"],
        "expected_mic": expected,
        "mic_matched": mic_matched,
        "as2_from": summary["as2_from"],
        "as2_to": summary["as2_to"],
    }


def _b64_equal(a, b):
    try:
        return base64.b64decode(a, validate=True) == base64.b64decode(b.strip(), validate=True)
    except (ValueError, TypeError):
        return False


def stub_message(req, as2_to_default=None):
    """A Message standing in for one built elsewhere, so that Mdn.parse can check its MDN."""
    exp = req.get("expect") or {}
    receiver = make_partner(
        exp.get("as2_to") or as2_to_default or "unknown",
        {"partner_cert": exp.get("partner_cert"), "validate_certs": exp.get("validate_certs", True)},
        mdn_digest_alg=exp.get("mdn_digest_alg"),
    )
    message = as2.Message(None, receiver)
    message.message_id = (exp.get("message_id") or "").strip("<>")
    message.mic = exp["mic"].encode("ascii") if exp.get("mic") else None
    return message


def is_mdn(headers, body):
    """True if the POSTed entity is an MDN (multipart/report, possibly signed)."""
    mdn = as2.Mdn()
    mdn.payload = email.message_from_bytes(captured_bytes(headers, body))
    try:
        mdn.detect_mdn()
        return True
    except MDNNotFound:
        return False
    except Exception:  # noqa: BLE001  (malformed: not an MDN we can read)
        return False
