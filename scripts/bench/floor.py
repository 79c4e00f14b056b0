"""The crypto floor of `make bench`: what `openssl speed` does on this machine, in this run.

Every figure of the benchmark is printed next to the fastest the same RSA, digest and cipher
operations can go here, measured by OpenSSL itself right before our and pyas2lib's runs. The
formulas (one message = which RSA operations + how many bytes through SHA-256 and AES) are in
docs/performance.md ("The crypto floor").
"""

import re
import subprocess

RSA = "rsa2048"
SPEED_COMMANDS = {
    # The commands named in the benchmark's brief, plus AES decryption and a 2-process RSA run.
    "rsa_sha256": ["openssl", "speed", "-seconds", "2", RSA, "sha256"],
    "aes_encrypt": ["openssl", "speed", "-evp", "aes-256-cbc"],
    "aes_decrypt": ["openssl", "speed", "-decrypt", "-evp", "aes-256-cbc"],
    "rsa_2proc": ["openssl", "speed", "-seconds", "2", "-multi", "2", RSA],
}


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out.stdout + out.stderr


def parse_throughput(text, name):
    """{block size: bytes/s} of the table row starting with ``name`` (openssl prints 1000s of bytes/s)."""
    header = re.search(r"^type\s+(.*)$", text, re.M)
    if not header:
        raise ValueError("openssl speed output has no 'type' header")
    sizes = [int(s) for s in re.findall(r"(\d+) bytes", header.group(1))]
    for line in text.splitlines():
        if line.lower().startswith(name.lower() + " "):
            values = re.findall(r"([\d.]+)k", line)
            if len(values) == len(sizes):
                return {size: float(v) * 1000 for size, v in zip(sizes, values)}
    raise ValueError(f"openssl speed output has no row for {name}")


def parse_rsa(text, bits=2048):
    """(signs/s, verifies/s) from the 'rsa 2048 bits' row."""
    m = re.search(rf"^rsa\s+{bits} bits\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)\s*$", text, re.M)
    if not m:
        raise ValueError(f"openssl speed output has no rsa {bits} row")
    return float(m.group(1)), float(m.group(2))


def measure():
    """Runs the openssl speed commands; returns the raw figures (all in operations or bytes per second)."""
    outputs = {key: run(cmd) for key, cmd in SPEED_COMMANDS.items()}
    sign, verify = parse_rsa(outputs["rsa_sha256"])
    sign2, verify2 = parse_rsa(outputs["rsa_2proc"])
    return {
        "commands": {key: " ".join(cmd) for key, cmd in SPEED_COMMANDS.items()},
        "rsa2048_sign_per_s": sign,
        "rsa2048_verify_per_s": verify,
        "rsa2048_sign_per_s_2proc": sign2,
        "rsa2048_verify_per_s_2proc": verify2,
        "sha256_bytes_per_s": parse_throughput(outputs["rsa_sha256"], "sha256"),
        "aes256cbc_encrypt_bytes_per_s": parse_throughput(outputs["aes_encrypt"], "AES-256-CBC"),
        "aes256cbc_decrypt_bytes_per_s": parse_throughput(outputs["aes_decrypt"], "AES-256-CBC"),
    }


def _rate(table, size):
    """Throughput for buffers of about ``size`` bytes: the largest block size not above it."""
    fitting = [s for s in table if s <= max(size, min(table))]
    return table[max(fitting)]


def message_floor(f, payload_bytes, message_bytes, mdn_bytes, cores):
    """Messages/s floors for one message of this size on ``cores`` idle cores: (build, unpack + signed MDN).

    build  = 1 RSA private-key op (signature) + 1 RSA public-key op (key transport)
             + SHA-256 over the payload + AES-256-CBC encryption of the signed entity
    unpack = 2 RSA private-key ops (key transport, MDN signature) + 1 RSA public-key op (verify)
             + AES-256-CBC decryption of the signed entity + SHA-256 over the payload and the MDN
    `openssl speed` divides by CPU time, so these are per core actually received; n cores do n times as much.
    """
    priv, pub = 1 / f["rsa2048_sign_per_s"], 1 / f["rsa2048_verify_per_s"]
    sha = lambda n: n / _rate(f["sha256_bytes_per_s"], n)  # noqa: E731
    enc = lambda n: n / _rate(f["aes256cbc_encrypt_bytes_per_s"], n)  # noqa: E731
    dec = lambda n: n / _rate(f["aes256cbc_decrypt_bytes_per_s"], n)  # noqa: E731
    build = priv + pub + sha(payload_bytes) + enc(message_bytes)
    unpack = 2 * priv + pub + dec(message_bytes) + sha(payload_bytes) + sha(mdn_bytes)
    return cores / build, cores / unpack


def available_share(f):
    """Share of 2 idle cores a 2-process job got during the floor run (openssl speed -multi 2
    measures wall time; its 1-process figures, CPU time): 1.0 on a quiet machine."""
    return f["rsa2048_sign_per_s_2proc"] / (2 * f["rsa2048_sign_per_s"])


def stream_floor(f):
    """MB/s floors for large payloads on one core: (build, unpack).

    build  = SHA-256 and AES-256-CBC encryption over every payload byte
    unpack = AES-256-CBC decryption and SHA-256 over every payload byte
    (16 KiB blocks; the RSA operations are a fixed cost that vanishes at these sizes).
    """
    sha = f["sha256_bytes_per_s"][max(f["sha256_bytes_per_s"])]
    enc = f["aes256cbc_encrypt_bytes_per_s"][max(f["aes256cbc_encrypt_bytes_per_s"])]
    dec = f["aes256cbc_decrypt_bytes_per_s"][max(f["aes256cbc_decrypt_bytes_per_s"])]
    return 1 / (1 / sha + 1 / enc) / 1e6, 1 / (1 / sha + 1 / dec) / 1e6
