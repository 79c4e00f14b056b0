"""AS2 messages that pyas2lib cannot build, assembled from the `openssl cms` CLI and Python.

Layers are applied innermost first, in any order and any number: "sign" (detached CMS SignedData
over the exact entity bytes, multipart/signed built here with CRLF and a base64 signature part),
"compress" (RFC 3274 CompressedData: version 0, id-alg-zlibCompress, id-data, zlib stream) and
"encrypt" (CMS EnvelopedData, or AuthEnvelopedData for GCM ciphers). The MIC the receiver must
report is computed per requirements §3.2 from the bytes that were really wrapped.
"""

import base64
import email.utils
import os
import shutil
import subprocess
import tempfile
import uuid
import zlib

from asn1crypto import cms

from peerlib import (
    PeerError,
    all_digests,
    apply_header_overrides,
    b64digest,
    normalize_alg,
    write_captured,
)
from pyas2lib.utils import quote_as2name

# Content-encryption names (pyas2lib, agent.conf and OpenSSL spellings) → (openssl flag, GCM?).
CIPHERS = {
    "tripledes_192_cbc": ("-des3", False),
    "3des": ("-des3", False),
    "des3": ("-des3", False),
    "des-ede3-cbc": ("-des3", False),
    "aes_128_cbc": ("-aes-128-cbc", False),
    "aes128-cbc": ("-aes-128-cbc", False),
    "aes-128-cbc": ("-aes-128-cbc", False),
    "aes_192_cbc": ("-aes-192-cbc", False),
    "aes192-cbc": ("-aes-192-cbc", False),
    "aes-192-cbc": ("-aes-192-cbc", False),
    "aes_256_cbc": ("-aes-256-cbc", False),
    "aes256-cbc": ("-aes-256-cbc", False),
    "aes-256-cbc": ("-aes-256-cbc", False),
    "aes_128_gcm": ("-aes-128-gcm", True),
    "aes128-gcm": ("-aes-128-gcm", True),
    "aes-128-gcm": ("-aes-128-gcm", True),
    "aes_256_gcm": ("-aes-256-gcm", True),
    "aes256-gcm": ("-aes-256-gcm", True),
    "aes-256-gcm": ("-aes-256-gcm", True),
}

# RFC 5751 micalg spellings (requirements §3.6), used unless the request names one.
MICALG = {"md5": "md5", "sha1": "sha-1", "sha224": "sha-224", "sha256": "sha-256",
          "sha384": "sha-384", "sha512": "sha-512"}


def openssl_path():
    path = os.environ.get("AS2_INTEROP_OPENSSL") or shutil.which("openssl")
    if not path:
        raise PeerError("openssl CLI not found (set AS2_INTEROP_OPENSSL)")
    return path


def run_openssl(args, what):
    proc = subprocess.run([openssl_path()] + args, capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise PeerError(f"openssl {what} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return proc


def serialize(headers, body):
    return b"".join(f"{n}: {v}\r\n".encode("utf-8") for n, v in headers) + b"\r\n" + body


def b64_lines(data):
    """Base64 in 76-character lines, each ending in CRLF."""
    text = base64.b64encode(data)
    return b"".join(text[i:i + 76] + b"\r\n" for i in range(0, len(text), 76))


def new_boundary(*contents):
    while True:
        b = "----=_AS2Peer_" + uuid.uuid4().hex
        if not any(b.encode("ascii") in c for c in contents):
            return b


def compressed_data(data):
    """DER ContentInfo(CompressedData) over ``data`` (RFC 3274)."""
    info = cms.ContentInfo({
        "content_type": cms.ContentType("compressed_data"),
        "content": cms.CompressedData({
            "version": cms.CMSVersion("v0"),
            "compression_algorithm": cms.CompressionAlgorithm({"algorithm": cms.CompressionAlgorithmId("zlib")}),
            "encap_content_info": cms.EncapsulatedContentInfo({
                "content_type": cms.ContentType("data"),
                "content": cms.ParsableOctetString(zlib.compress(data)),
            }),
        }),
    })
    return info.dump()


class RawBuilder:
    """Builds one message from a build_raw request."""

    def __init__(self, req, workdir):
        self.req = req
        self.dir = workdir
        self.mic_input = None
        self.mic_alg = None
        self.layers_done = []

    def tmp(self, name, data=None):
        path = os.path.join(self.dir, f"{len(os.listdir(self.dir))}-{name}")
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        return path

    def opt(self, layer, key, default=None):
        if isinstance(layer, dict) and layer.get(key) is not None:
            return layer[key]
        value = self.req.get(key)
        return default if value is None else value

    # -- layers --------------------------------------------------------------------------------

    def payload_entity(self):
        req = self.req
        with open(req["payload"], "rb") as f:
            data = f.read()
        cte = (req.get("payload_cte") or "binary").lower()
        headers = [("Content-Type", req.get("content_type") or "application/octet-stream")]
        if cte == "base64":
            headers.append(("Content-Transfer-Encoding", "base64"))
            body = b64_lines(data)
        elif cte in ("binary", "8bit", "7bit"):
            headers.append(("Content-Transfer-Encoding", cte))
            body = data
        else:
            raise PeerError(f"payload_cte must be binary, 8bit, 7bit or base64, not {cte}")
        if req.get("filename"):
            headers.append(("Content-Disposition", f'attachment; filename="{req["filename"]}"'))
        return headers, body

    def sign(self, layer, headers, body):
        first = serialize(headers, body)
        if not self.opt(layer, "cert") or not self.opt(layer, "key"):
            raise PeerError("sign layer needs key and cert")
        digest = normalize_alg(self.opt(layer, "digest", "sha256"))
        if digest not in MICALG:
            raise PeerError(f"unsupported digest {digest}")
        args = ["cms", "-sign", "-binary", "-outform", "DER", "-md", digest,
                "-in", self.tmp("signed-part", first), "-out", self.tmp("sig.der"),
                "-signer", self.opt(layer, "cert"), "-inkey", self.opt(layer, "key")]
        out = args[args.index("-out") + 1]
        if self.opt(layer, "key_password"):
            args += ["-passin", "pass:" + self.opt(layer, "key_password")]
        if self.opt(layer, "sign_alg", "rsassa_pkcs1v15") == "rsassa_pss":
            args += ["-keyopt", "rsa_padding_mode:pss"]
        if not self.opt(layer, "include_certs", True):
            args += ["-nocerts"]
        run_openssl(args, "cms -sign")
        with open(out, "rb") as f:
            signature = f.read()
        sig_part = serialize([
            ("Content-Type", "application/pkcs7-signature; name=smime.p7s; smime-type=signed-data"),
            ("Content-Transfer-Encoding", "base64"),
            ("Content-Disposition", 'attachment; filename="smime.p7s"'),
        ], b64_lines(signature))
        boundary = new_boundary(first, sig_part)
        delim = b"--" + boundary.encode("ascii")
        mp_body = delim + b"\r\n" + first + b"\r\n" + delim + b"\r\n" + sig_part + b"\r\n" + delim + b"--\r\n"
        micalg = self.opt(layer, "micalg") or MICALG[digest]
        self.mic_input, self.mic_alg = first, digest
        return [("Content-Type", f'multipart/signed; protocol="application/pkcs7-signature"; '
                                 f'micalg={micalg}; boundary="{boundary}"')], mp_body

    def compress(self, layer, headers, body):
        der = compressed_data(serialize(headers, body))
        return [
            ("Content-Type", "application/pkcs7-mime; smime-type=" + self.opt(layer, "smime_type", "compressed-data")
             + "; name=smime.p7z"),
            ("Content-Transfer-Encoding", "binary"),
            ("Content-Disposition", 'attachment; filename="smime.p7z"'),
        ], der

    def encrypt(self, layer, headers, body):
        cipher = str(self.opt(layer, "cipher", "aes_256_cbc")).lower()
        if cipher not in CIPHERS:
            raise PeerError(f"unsupported cipher {cipher}; one of {sorted(CIPHERS)}")
        flag, gcm = CIPHERS[cipher]
        cert = self.opt(layer, "partner_cert")
        if not cert:
            raise PeerError("encrypt layer needs partner_cert")
        out = self.tmp("enveloped.der")
        args = ["cms", "-encrypt", "-binary", "-outform", "DER", flag,
                "-in", self.tmp("inner", serialize(headers, body)), "-out", out, "-recip", cert]
        if self.opt(layer, "key_enc_alg", "rsaes_pkcs1v15") == "rsaes_oaep":
            args += ["-keyopt", "rsa_padding_mode:oaep"]
        run_openssl(args, "cms -encrypt")
        with open(out, "rb") as f:
            der = f.read()
        smime_type = self.opt(layer, "smime_type", "authEnveloped-data" if gcm else "enveloped-data")
        return [
            ("Content-Type", f"application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m"),
            ("Content-Transfer-Encoding", "binary"),
            ("Content-Disposition", 'attachment; filename="smime.p7m"'),
        ], der

    # -- whole message -------------------------------------------------------------------------

    def build(self):
        req = self.req
        if not req.get("as2_from") or not req.get("as2_to"):
            raise PeerError("as2_from and as2_to are required")
        headers, body = self.payload_entity()
        payload_entity_bytes, payload_body = serialize(headers, body), body
        for layer in req.get("layers") or []:
            op = layer.get("op") if isinstance(layer, dict) else layer
            step = {"sign": self.sign, "compress": self.compress, "encrypt": self.encrypt}.get(op)
            if step is None:
                raise PeerError(f"unknown layer {op!r}; use sign, compress or encrypt")
            headers, body = step(layer, headers, body)
            self.layers_done.append(op)

        if self.mic_input is None:  # unsigned: requirements §3.2
            self.mic_alg = normalize_alg(req.get("mic_alg") or req.get("mdn_digest_alg")) or "sha1"
            self.mic_input = payload_entity_bytes if self.layers_done else payload_body

        if (req.get("http_cte") or "").lower() == "base64":
            headers = [(n, v) for n, v in headers if n.lower() != "content-transfer-encoding"]
            headers.append(("Content-Transfer-Encoding", "base64"))
            body = b64_lines(body)

        left = req.get("message_id") or uuid.uuid4().hex
        domain = req.get("domain") or "as2peer.test"
        message_id = left if "@" in left else f"{left}@{domain}"
        as2_headers = [
            ("AS2-Version", "1.2"),
            ("Message-ID", f"<{message_id}>"),
            ("AS2-From", quote_as2name(req["as2_from"])),
            ("AS2-To", quote_as2name(req["as2_to"])),
            ("Subject", req.get("subject") or "AS2 Message"),
            ("Date", email.utils.formatdate(usegmt=True)),
            ("MIME-Version", "1.0"),
        ]
        mdn_mode = req.get("mdn_mode")
        if mdn_mode:
            as2_headers.append(("Disposition-Notification-To", req.get("disposition_notification_to") or "as2peer@localhost"))
            if req.get("mdn_digest_alg"):
                as2_headers.append(("Disposition-Notification-Options",
                                    "signed-receipt-protocol=optional, pkcs7-signature; "
                                    f"signed-receipt-micalg=optional, {req['mdn_digest_alg']}"))
            if mdn_mode == "async":
                if not req.get("mdn_url"):
                    raise PeerError("mdn_mode 'async' needs mdn_url")
                as2_headers.append(("Receipt-Delivery-Option", req["mdn_url"]))
        all_headers = apply_header_overrides(as2_headers + headers, req.get("headers"))
        write_captured(req["out"], all_headers, body)
        if req.get("mic_input_out"):
            with open(req["mic_input_out"], "wb") as f:
                f.write(self.mic_input)
        return {
            "message_id": message_id,
            "mic": b64digest(self.mic_alg, self.mic_input),
            "mic_alg": self.mic_alg,
            "mics": all_digests(self.mic_input),
            "layers": self.layers_done,
            "headers": [[n, v] for n, v in all_headers],
            "body_size": len(body),
        }


def build_raw(req):
    """Handle one build_raw request; returns the result dict."""
    if not req.get("out"):
        raise PeerError("out path is required")
    with tempfile.TemporaryDirectory(prefix="as2peer-raw-") as workdir:
        return RawBuilder(req, workdir).build()
