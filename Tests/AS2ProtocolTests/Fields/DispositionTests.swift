import AS2Protocol
import XCTest

final class DispositionTests: XCTestCase {
    func testParsesCanonicalAndWildSpellings() throws {
        // Sterling: odd case, no space after ';'.
        let sterling = try Disposition(parsing: "Automatic-action/mdn-sent-automatically;processed")
        XCTAssertEqual(sterling, .processed)
        XCTAssertEqual(sterling.actionMode, "automatic-action")
        XCTAssertEqual(sterling.sendingMode, "MDN-sent-automatically")
        XCTAssertTrue(sterling.isSuccess)
        XCTAssertFalse(sterling.isWarning)

        // OpenAS2: no space after ':' and a capital E.
        let openas2 = try Disposition(parsing: "automatic-action/MDN-sent-automatically; processed/Error:unexpected-processing-error")
        XCTAssertEqual(openas2, .error(.unexpectedProcessingError))
        XCTAssertEqual(openas2.modifier, .error("unexpected-processing-error"))
        XCTAssertEqual(openas2.errorModifier, .unexpectedProcessingError)
        XCTAssertFalse(openas2.isSuccess)

        // Folded over two lines (RFC 4130 A.2), extra whitespace around separators.
        let folded = try Disposition(parsing: "automatic-action/MDN-sent-automatically;\r\n\tprocessed / error :  decryption-failed ")
        XCTAssertEqual(folded, .error(.decryptionFailed))
        XCTAssertEqual(folded.modifier?.text, "decryption-failed")
    }

    func testFailedAndWarningDispositions() throws {
        let f = try Disposition(parsing: "automatic-action/MDN-sent-automatically; failed/Failure: unsupported MIC-algorithms")
        XCTAssertEqual(f.type, .failed)
        XCTAssertEqual(f, .failure(Disposition.FailureText.unsupportedMICAlgorithms))
        XCTAssertFalse(f.isSuccess)

        let w = try Disposition(parsing: "automatic-action/MDN-sent-automatically; processed/warning: duplicate-document")
        XCTAssertTrue(w.isSuccess)
        XCTAssertTrue(w.isWarning)
        XCTAssertEqual(w.modifier, .warning("duplicate-document"))

        let manual = try Disposition(parsing: "manual-action/MDN-sent-manually; processed")
        XCTAssertEqual(manual.actionMode, "manual-action")
        XCTAssertEqual(manual.sendingMode, "MDN-sent-manually")
        XCTAssertNotEqual(manual, .processed)
    }

    func testUnknownTypesAndModifiersAreFailures() throws {
        let other = try Disposition(parsing: "automatic-action/MDN-sent-automatically; deleted")
        XCTAssertEqual(other.type, .other("deleted"))
        XCTAssertFalse(other.isSuccess)
        let odd = try Disposition(parsing: "automatic-action/MDN-sent-automatically; processed/error: signed-message-required")
        XCTAssertFalse(odd.isSuccess)
        XCTAssertNil(odd.errorModifier)
        let rfc3798 = try Disposition(parsing: "automatic-action/MDN-sent-automatically; processed/error")
        XCTAssertEqual(rfc3798.modifier, .error(""))
        XCTAssertFalse(rfc3798.isSuccess)
        let ext = try Disposition(parsing: "automatic-action/MDN-sent-automatically; processed/x-custom: note")
        XCTAssertEqual(ext.modifier, .other(name: "x-custom", description: "note"))
        XCTAssertFalse(ext.isSuccess)
    }

    func testValueWithoutModesStillReadsTheType() throws {
        XCTAssertEqual(try Disposition(parsing: "processed"), .processed)
        XCTAssertEqual(try Disposition(parsing: " Failed/failure: unsupported format").type, .failed)
    }

    func testInvalidValuesThrow() {
        for bad in ["", "automatic-action/MDN-sent-automatically", "automatic-action; processed", "automatic-action/x; ", "nonsense"] {
            XCTAssertThrowsError(try Disposition(parsing: bad), bad) { XCTAssertEqual(($0 as? AS2FieldError)?.code, .invalidDisposition) }
        }
    }

    func testHeaderValuesWeGenerate() throws {
        XCTAssertEqual(Disposition.processed.headerValue, "automatic-action/MDN-sent-automatically; processed")
        XCTAssertEqual(
            Disposition.error(.decryptionFailed).headerValue, "automatic-action/MDN-sent-automatically; processed/error: decryption-failed")
        XCTAssertEqual(
            Disposition.failure(Disposition.FailureText.unsupportedFormat).headerValue,
            "automatic-action/MDN-sent-automatically; failed/Failure: unsupported format")
        XCTAssertEqual(
            Disposition.failure(Disposition.FailureText.senderEqualsReceiver).headerValue,
            "automatic-action/MDN-sent-automatically; failed/Failure: sender-equals-receiver")
        XCTAssertEqual(
            Disposition.warning("duplicate-document").headerValue, "automatic-action/MDN-sent-automatically; processed/warning: duplicate-document")
        for e in Disposition.ErrorModifier.allCases {
            let d = Disposition.error(e)
            XCTAssertEqual(try Disposition(parsing: d.headerValue), d)
            XCTAssertEqual(try Disposition(parsing: d.headerValue).errorModifier, e)
        }
        XCTAssertEqual(Disposition.ErrorModifier.unknownTradingPartner.rawValue, "unknown-trading-partner")
        XCTAssertEqual(Disposition.ErrorModifier.insufficientMessageSecurity.rawValue, "insufficient-message-security")
    }
}
