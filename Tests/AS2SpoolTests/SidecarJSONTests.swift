import Foundation
import XCTest

@testable import AS2Spool

/// The hand-written sidecar JSON is byte for byte what `SidecarCoding.encode` (JSONEncoder) writes.
final class SidecarJSONTests: XCTestCase {
    private let awkward = [
        "", "plain", "/spool/acme/inbox/ä ü/invoice.edi", "quote\" back\\slash", "tab\t nl\n cr\r bs\u{8} ff\u{c} nul\u{0} us\u{1f} del\u{7f}",
        "é 漢字 🚀 \u{2028}", "<abc@acme.example>",
    ]

    private func sidecar(_ n: Int, full: Bool, date: Date) -> ReceiptSidecar {
        let text = awkward[n % awkward.count]
        return ReceiptSidecar(
            messageId: "<\(n)-\(text)@acme>", direction: n % 2 == 0 ? .received : .sent, partner: "acme\(text)",
            as2From: "ACME \(text)", as2To: "OURCORP", file: SidecarFile(name: "inv\(text).edi", originalName: text, size: n * 1_000_003, sha256: String(repeating: "ab", count: 32)),
            timestamps: full
                ? .init(queued: date, sent: date.addingTimeInterval(0.999), received: date.addingTimeInterval(-1.5), receipt: date.addingTimeInterval(86_400 * 366))
                : .init(),
            security: full
                ? .init(
                    signed: true, signatureAlgorithm: "sha256", signatureScheme: "pss", signerCertificateSha256: "aa:bb", encrypted: true,
                    encryptionAlgorithm: "aes256-cbc", keyTransport: "rsaes-oaep", recipientCertificateSha256: text, compressed: true,
                    compression: .afterSigning)
                : .init(signed: false, encrypted: false, compressed: false),
            mic: full ? .init(algorithm: "sha-256", digest: "abc+/=") : nil,
            mdn: full
                ? .init(
                    mode: .async, requestedSigned: true, signed: true, signatureVerified: false,
                    disposition: "automatic-action/MDN-sent-automatically; processed/error: \(text)", dispositionType: .failed,
                    modifier: "error: \(text)", micMatched: true, messageId: "<mdn@x>",
                    delivery: .init(status: .failed, attempts: 3, lastError: text, url: "https://a.example/mdn?x=1&y=/z"))
                : .init(mode: .none, requestedSigned: false),
            attempts: n, httpStatus: full ? 200 : nil)
    }

    func testReceiptSidecarsAreEncodedExactlyAsJSONEncoderEncodesThem() throws {
        let dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_800_000_000.75), Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
            Date(timeIntervalSince1970: 4_107_542_399), Date(timeIntervalSince1970: -86_401.5), Date(timeIntervalSince1970: 1_709_164_799.999),
            Date(),
        ]
        var compared = 0
        for (n, date) in dates.enumerated() {
            for k in 0..<awkward.count {
                for full in [true, false] {
                    let value = sidecar(n * awkward.count + k, full: full, date: date)
                    let expected = try SidecarCoding.encode(value)
                    let actual = try value.encoded()
                    XCTAssertEqual(String(decoding: actual, as: UTF8.self), String(decoding: expected, as: UTF8.self))
                    XCTAssertEqual(try ReceiptSidecar.decode(from: actual), try ReceiptSidecar.decode(from: expected))
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, dates.count * awkward.count * 2)
    }

    func testOptionalObjectsAndMembersAreLeftOutOrEmptyAsJSONEncoderDoes() throws {
        var value = sidecar(1, full: false, date: Date())
        value.mdn = .init(mode: .sync, requestedSigned: true, delivery: .init(status: .pending, attempts: 0))
        XCTAssertEqual(String(decoding: try value.encoded(), as: UTF8.self), String(decoding: try SidecarCoding.encode(value), as: UTF8.self))
        let text = String(decoding: try value.encoded(), as: UTF8.self)
        XCTAssertFalse(text.contains("\"mic\""), text)
        XCTAssertFalse(text.contains("last_error"), text)
    }
}
