extension SignatureScheme {
    /// The scheme named by a SignerInfo's signatureAlgorithm OID: rsaEncryption and the
    /// shaXWithRSAEncryption family are PKCS #1 v1.5, id-RSASSA-PSS is PSS; nil otherwise.
    init?(signatureAlgorithmOID oid: String) {
        switch oid {
        case OID.rsaEncryption.dotted,
            "1.2.840.113549.1.1.4",  // md5WithRSAEncryption
            "1.2.840.113549.1.1.5",  // sha1WithRSAEncryption
            "1.2.840.113549.1.1.14",  // sha224WithRSAEncryption
            "1.2.840.113549.1.1.11",  // sha256WithRSAEncryption
            "1.2.840.113549.1.1.12",  // sha384WithRSAEncryption
            "1.2.840.113549.1.1.13":  // sha512WithRSAEncryption
            self = .rsaPKCS1v15
        case OID.rsassaPSS.dotted:
            self = .rsaPSS
        default:
            return nil
        }
    }
}
