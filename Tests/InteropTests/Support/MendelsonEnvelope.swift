import Foundation

/// Mendelson-style AES-GCM inside a CMS EnvelopedData (acceptance case 10), which `openssl cms`
/// cannot make: assembled with the venv's asn1crypto and cryptography as BouncyCastle writes it
/// (RSA v1.5 key transport, GCMParameters with a 12-byte nonce, the 16-byte tag after the ciphertext).
public enum MendelsonEnvelope {
    /// DER ContentInfo(EnvelopedData) of `content` for the certificate at `recipientPEM`,
    /// encrypted with AES-`keyBits`-GCM.
    public static func gcmInEnvelopedData(content: Data, recipientPEM: String, keyBits: Int = 256) throws -> Data {
        let dir = try InteropEnvironment.makeTemporaryDirectory("mendelson-gcm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in").path
        let output = dir.appendingPathComponent("out.der").path
        try content.write(to: URL(fileURLWithPath: input))
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONPATH"] = InteropEnvironment.peerDirectory.path
        let outcome = try ProcessRunner.run(
            try InteropEnvironment.python(), ["-c", script, recipientPEM, input, output, String(keyBits)], environment: environment)
        guard outcome.succeeded else {
            throw InteropError.processFailed(command: "python (GCM EnvelopedData)", status: outcome.status, stderr: outcome.stderr)
        }
        return try Data(contentsOf: URL(fileURLWithPath: output))
    }

    private static let script = #"""
import os, sys
import oscrypto_fix  # noqa: F401
from asn1crypto import cms, core, pem, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

cert_path, in_path, out_path, bits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(cert_path, "rb") as f:
    cert_bytes = f.read()
_, _, der = pem.unarmor(cert_bytes)
cert = x509.Certificate.load(der)
with open(in_path, "rb") as f:
    content = f.read()
key, nonce = os.urandom(bits // 8), os.urandom(12)
sealed = AESGCM(key).encrypt(nonce, content, None)  # ciphertext || 16-byte tag
assert AESGCM(key).decrypt(nonce, sealed, None) == content
encrypted_key = cx509.load_der_x509_certificate(der).public_key().encrypt(key, padding.PKCS1v15())
gcm_parameters = b"\x30\x11\x04\x0c" + nonce + b"\x02\x01\x10"  # GCMParameters {nonce, icvLen 16}
info = cms.ContentInfo({
    "content_type": "enveloped_data",
    "content": cms.EnvelopedData({
        "version": "v0",
        "recipient_infos": [cms.RecipientInfo(name="ktri", value=cms.KeyTransRecipientInfo({
            "version": "v0",
            "rid": cms.RecipientIdentifier(name="issuer_and_serial_number", value=cms.IssuerAndSerialNumber({
                "issuer": cert.issuer, "serial_number": cert.serial_number})),
            "key_encryption_algorithm": cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_pkcs1v15"}),
            "encrypted_key": encrypted_key,
        }))],
        "encrypted_content_info": cms.EncryptedContentInfo({
            "content_type": "data",
            "content_encryption_algorithm": cms.EncryptionAlgorithm({
                "algorithm": {128: "aes128_gcm", 192: "aes192_gcm", 256: "aes256_gcm"}[bits],
                "parameters": core.Any.load(gcm_parameters)}),
            "encrypted_content": sealed,
        }),
    }),
})
with open(out_path, "wb") as f:
    f.write(info.dump())
"""#
}
