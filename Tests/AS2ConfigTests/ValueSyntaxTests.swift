import XCTest

@testable import AS2Config

final class ValueSyntaxTests: XCTestCase {
    func testDurationsAcceptUnitsCompoundsAndSeconds() {
        XCTAssertEqual(DurationSyntax.parse("30s"), .seconds(30))
        XCTAssertEqual(DurationSyntax.parse("5m"), .seconds(300))
        XCTAssertEqual(DurationSyntax.parse("1h"), .seconds(3600))
        XCTAssertEqual(DurationSyntax.parse("30d"), .seconds(30 * 86_400))
        XCTAssertEqual(DurationSyntax.parse("1h30m"), .seconds(5400))
        XCTAssertEqual(DurationSyntax.parse("250ms"), .milliseconds(250))
        XCTAssertEqual(DurationSyntax.parse("45"), .seconds(45))
        XCTAssertEqual(DurationSyntax.parse("0"), .zero)
    }

    func testDurationsRejectGarbage() {
        for text in ["", "s", "5x", "-5s", "1.5h", "5 m", "m5", "99999999999999d"] {
            XCTAssertNil(DurationSyntax.parse(text), text)
        }
    }

    func testDurationFormatIsShortestExactSpelling() {
        XCTAssertEqual(DurationSyntax.format(.seconds(5400)), "1h30m")
        XCTAssertEqual(DurationSyntax.format(.seconds(86_400 * 30)), "30d")
        XCTAssertEqual(DurationSyntax.format(.milliseconds(1500)), "1s500ms")
        XCTAssertEqual(DurationSyntax.format(.zero), "0")
    }

    func testSizesDistinguishSIAndIECUnits() {
        XCTAssertEqual(ByteCountSyntax.parse("16KB"), 16_000)
        XCTAssertEqual(ByteCountSyntax.parse("16KiB"), 16_384)
        XCTAssertEqual(ByteCountSyntax.parse("1MB"), 1_000_000)
        XCTAssertEqual(ByteCountSyntax.parse("1GiB"), 1 << 30)
        XCTAssertEqual(ByteCountSyntax.parse("2 gib"), 2 << 30)
        XCTAssertEqual(ByteCountSyntax.parse("512B"), 512)
        XCTAssertEqual(ByteCountSyntax.parse("4096"), 4096)
        XCTAssertNil(ByteCountSyntax.parse("1.5GB"))
        XCTAssertNil(ByteCountSyntax.parse("12 parsecs"))
        XCTAssertNil(ByteCountSyntax.parse("MB"))
        XCTAssertNil(ByteCountSyntax.parse("99999999999TiB"))
        XCTAssertEqual(ByteCountSyntax.format(1 << 30), "1GiB")
        XCTAssertEqual(ByteCountSyntax.format(16_000), "16KB")
        XCTAssertEqual(ByteCountSyntax.format(1234), "1234")
    }

    func testListenAddresses() {
        XCTAssertEqual(ListenAddress(parsing: "0.0.0.0:4080"), ListenAddress(host: "0.0.0.0", port: 4080))
        XCTAssertEqual(ListenAddress(parsing: "[::1]:443"), ListenAddress(host: "::1", port: 443))
        XCTAssertEqual(ListenAddress(parsing: "localhost:0"), ListenAddress(host: "localhost", port: 0))
        XCTAssertEqual(ListenAddress(host: "::", port: 4080).description, "[::]:4080")
        for bad in ["4080", "host:", ":4080", "host:65536", "host:80x", "::1:80", "[::1]80", "a b:80"] {
            XCTAssertNil(ListenAddress(parsing: bad), bad)
        }
    }

    func testAS2NamesFollowRFC4130() {
        XCTAssertNil(AS2NameSyntax.error(in: "ACME"))
        XCTAssertNil(AS2NameSyntax.error(in: "Acme Corp"))
        XCTAssertNil(AS2NameSyntax.error(in: String(repeating: "x", count: 128)))
        XCTAssertNotNil(AS2NameSyntax.error(in: ""))
        XCTAssertNotNil(AS2NameSyntax.error(in: String(repeating: "x", count: 129)))
        XCTAssertNotNil(AS2NameSyntax.error(in: "ACMÉ"))
        XCTAssertNotNil(AS2NameSyntax.error(in: "AC\tME"))
        XCTAssertNotNil(AS2NameSyntax.warning(in: "\"ACME\""))
        XCTAssertNotNil(AS2NameSyntax.warning(in: "AC\\ME"))
        XCTAssertNil(AS2NameSyntax.warning(in: "Acme Corp"))
        XCTAssertEqual(AS2NameSyntax.headerValue("ACME"), "ACME")
        XCTAssertEqual(AS2NameSyntax.headerValue("Acme Corp"), "\"Acme Corp\"")
        XCTAssertEqual(AS2NameSyntax.headerValue("a\"b\\c"), "\"a\\\"b\\\\c\"")
    }

    func testPartnerNamesAreFolderSafe() {
        for good in ["globex", "acme-2", "a.b_c", "0day"] { XCTAssertNil(PartnerNameSyntax.error(in: good), good) }
        for bad in ["", "Globex", ".hidden", "-x", "a/b", "a b", "ü", String(repeating: "a", count: 65)] {
            XCTAssertNotNil(PartnerNameSyntax.error(in: bad), bad)
        }
        XCTAssertEqual(PartnerNameSyntax.suggestion(for: "GLOBEX Corp."), "globex-corp")
        XCTAssertEqual(PartnerNameSyntax.suggestion(for: "!!!"), "partner")
    }

    func testEditDistanceFindsTyposOnly() {
        XCTAssertEqual(EditDistance.between("sign", "sing"), 1)
        XCTAssertEqual(EditDistance.between("as2-id", "as2_id"), 0)
        XCTAssertEqual(EditDistance.closest(to: "sing", among: ["sign", "subject"]), "sign")
        XCTAssertEqual(EditDistance.closest(to: "certficate", among: ["certificate", "verify_certificates"]), "certificate")
        XCTAssertNil(EditDistance.closest(to: "colour", among: ["sign", "url"]))
    }

    func testRetryDelaysGrowAndAreCapped() {
        let policy = RetryPolicy()
        XCTAssertEqual(policy.delay(beforeResend: 1), .seconds(60))
        XCTAssertEqual(policy.delay(beforeResend: 3), .seconds(240))
        XCTAssertEqual(policy.delay(beforeResend: 20), .seconds(3600))
    }

    func testSourceLocatorFindsTablesKeysAndArrayBlocks() {
        let text = """
            # comment
            [agent]
            as2_id = "ACME"   # trailing
              spool_dir = '''
            [fake]
            x = 1
            '''
            list = [
              "a",
              "b = c",
            ]
            [[partner]]
            name = "a"
            [[partner]]
              "sign" = "sha1"
            """
        let locator = TOMLSourceLocator(text: text)
        XCTAssertEqual(locator.exactPosition(of: "agent"), .init(line: 2, column: 1))
        XCTAssertEqual(locator.exactPosition(of: "agent.as2_id"), .init(line: 3, column: 1))
        XCTAssertEqual(locator.exactPosition(of: "agent.spool_dir"), .init(line: 4, column: 3))
        XCTAssertNil(locator.exactPosition(of: "fake"))
        XCTAssertEqual(locator.exactPosition(of: "agent.list"), .init(line: 8, column: 1))
        XCTAssertNil(locator.exactPosition(of: "agent.b"))
        XCTAssertEqual(locator.exactPosition(of: "partner#1.name"), .init(line: 13, column: 1))
        XCTAssertEqual(locator.exactPosition(of: "partner#2"), .init(line: 14, column: 1))
        XCTAssertEqual(locator.exactPosition(of: "partner#2.sign"), .init(line: 15, column: 3))
        XCTAssertEqual(locator.position(of: "partner#2.url"), .init(line: 14, column: 1))

        let crlf = TOMLSourceLocator(text: text.replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertEqual(crlf.positions, locator.positions, "CRLF line ends count lines like LF")
        let unicode = TOMLSourceLocator(text: "# é\n[agent]\n  \"nämé\" = \"ü\"\n  x = 1")
        XCTAssertEqual(unicode.exactPosition(of: "agent.nämé"), .init(line: 3, column: 3))
        XCTAssertEqual(unicode.exactPosition(of: "agent.x"), .init(line: 4, column: 3))
    }
}
