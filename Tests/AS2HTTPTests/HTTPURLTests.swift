@testable import AS2HTTP
import XCTest

final class HTTPURLTests: XCTestCase {
    func testSchemesPortsAndTargets() throws {
        let a = try XCTUnwrap(HTTPURL("https://as2.partner.example/receive?id=1#frag"))
        XCTAssertTrue(a.isTLS)
        XCTAssertEqual(a.host, "as2.partner.example")
        XCTAssertEqual(a.port, 443)
        XCTAssertEqual(a.target, "/receive?id=1")
        XCTAssertEqual(a.authority, "as2.partner.example")
        XCTAssertEqual(a.authorityWithPort, "as2.partner.example:443")

        let b = try XCTUnwrap(HTTPURL("HTTP://10.0.0.5:4080"))
        XCTAssertFalse(b.isTLS)
        XCTAssertEqual(b.port, 4080)
        XCTAssertEqual(b.target, "/")
        XCTAssertEqual(b.authority, "10.0.0.5:4080")
        XCTAssertTrue(b.hostIsIPAddress)

        let c = try XCTUnwrap(HTTPURL("http://[::1]:8080/as2"))
        XCTAssertEqual(c.host, "::1")
        XCTAssertEqual(c.authority, "[::1]:8080")
        XCTAssertTrue(c.hostIsIPAddress)
        XCTAssertEqual(c.description, "http://[::1]:8080/as2")

        let d = try XCTUnwrap(HTTPURL("http://user:p%40ss@proxy.local:3128"))
        XCTAssertEqual(d.user, "user")
        XCTAssertEqual(d.password, "p@ss")
        XCTAssertEqual(d.host, "proxy.local")
        XCTAssertEqual(d.description, "http://proxy.local:3128/", "user info is never printed")
        XCTAssertEqual(try XCTUnwrap(HTTPURL("http://h?q")).target, "/?q")
    }

    func testRejectsWhatIsNotAnHTTPURL() {
        for bad in ["", "example.com", "ftp://h/", "http://", "http://:80/", "http://h:0/", "http://h:70000/", "http://h:x/", "http://[::1/", "http://h/a b", "mailto:x@y"] {
            XCTAssertNil(HTTPURL(bad), bad)
        }
    }

    func testBase64BasicCredentials() {
        XCTAssertEqual(Base64.encode([]), "")
        XCTAssertEqual(Base64.encode(Array("f".utf8)), "Zg==")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(Base64.encode(Array("foo".utf8)), "Zm9v")
        XCTAssertEqual(Base64.encode([0xff, 0xfe, 0xfd, 0x00]), "//79AA==")
        XCTAssertEqual(Base64.basicCredentials(user: "Aladdin", password: "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }

    func testIMFFixdate() {
        XCTAssertEqual(HTTPDate.format(secondsSinceEpoch: 784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(secondsSinceEpoch: 0), "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    func testHeaderLookupIgnoresCaseAndListsTokens() {
        let head = HTTPRequestHead(method: "POST", uri: "http://proxy.example/a/b?c", headers: [("Message-Id", "<1>"), ("MESSAGE-ID", "<2>")], remoteAddress: "x")
        XCTAssertEqual(head.values(of: "message-id"), ["<1>", "<2>"])
        XCTAssertEqual(head.path, "/a/b")
        XCTAssertTrue(HTTPHeaderFields.listContains("foo, 100-Continue ,bar", token: "100-continue"))
        XCTAssertFalse(HTTPHeaderFields.listContains("100-continued", token: "100-continue"))
    }
}
