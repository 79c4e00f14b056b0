import Foundation
import XCTest

/// Hostile HTTP at the AS2 endpoint: each request gets its status, nothing is delivered, and the
/// agent keeps serving (a valid message still gets through afterwards).
final class HTTPHostileTests: HTTPReceiverTestCase {
    override func tearDownWithError() throws {
        if let globex, globex.process?.isRunning == true {
            XCTAssertTrue(inboxDocuments.isEmpty, "nothing delivered: \(inboxDocuments)")
            XCTAssertEqual(try globex.admin("/healthz")?.status, 200, "the agent still serves")
        } else {
            XCTFail("the agent died:\n\(globex?.log.suffix(3000) ?? "")")
        }
        try super.tearDownWithError()
    }

    func head(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) }

    func testOversizedHeader() throws {
        let request = try factory.request(payload(100), messageID: HTTPMessageFactory.messageID("big-header"))
        var text = request
        let big = Array("X-Padding: \(String(repeating: "a", count: 20_000))\r\n".utf8)
        text.insert(contentsOf: big, at: Array("POST /as2 HTTP/1.1\r\n".utf8).count)
        let response = try HTTPSocket.exchange(port: globex.httpPort, text)
        XCTAssertTrue([400, 431].contains(response?.status ?? 0), "\(String(describing: response?.status))")
    }

    func testTooManyHeaders() throws {
        var lines = ["POST /as2 HTTP/1.1", "Host: x"]
        for i in 0..<500 { lines.append("X-H\(i): v") }
        let response = try HTTPSocket.exchange(port: globex.httpPort, head(lines))
        XCTAssertTrue([400, 431].contains(response?.status ?? 0), "\(String(describing: response?.status))")
    }

    func testOversizedBodyByContentLength() throws {
        let request = try factory.request(payload(4_500_000), messageID: HTTPMessageFactory.messageID("big"))
        let response = try HTTPSocket.exchange(port: globex.httpPort, request)
        XCTAssertEqual(response?.status, 413)
    }

    func testUnknownPartnerCannotSendALargeBody() throws {
        let request = try factory.request(payload(1_500_000), messageID: HTTPMessageFactory.messageID("stranger"), fromID: "STRANGER")
        XCTAssertEqual(try HTTPSocket.exchange(port: globex.httpPort, request)?.status, 413)
    }

    func testOversizedChunkedBody() throws {
        let request = try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("chunked"))
        let text = String(decoding: request, as: UTF8.self)
        let headEnd = text.range(of: "\r\n\r\n")!
        var headLines = String(text[..<headEnd.lowerBound]).components(separatedBy: "\r\n").filter { !$0.lowercased().hasPrefix("content-length") }
        headLines.append("Transfer-Encoding: chunked")
        let fd = try HTTPSocket.connect(port: globex.httpPort)
        defer { close(fd) }
        HTTPSocket.write(fd, head(headLines))
        let chunk = [UInt8](repeating: 0x41, count: 65536)
        for _ in 0..<70 {
            guard HTTPSocket.write(fd, Array("10000\r\n".utf8) + chunk + Array("\r\n".utf8)) else { break }
        }
        HTTPSocket.write(fd, Array("0\r\n\r\n".utf8))
        let response = HTTPRawResponse(HTTPSocket.readResponse(fd))
        XCTAssertEqual(response?.status, 413)
    }

    func testSlowUploadTimesOut() throws {
        let request = try factory.request(payload(5000), messageID: HTTPMessageFactory.messageID("slow"))
        let fd = try HTTPSocket.connect(port: globex.httpPort, timeout: 8)
        defer { close(fd) }
        HTTPSocket.write(fd, Array(request[0..<(request.count - 4000)]))
        let started = Date()
        let response = HTTPRawResponse(HTTPSocket.readResponse(fd))  // the rest never comes
        XCTAssertLessThan(Date().timeIntervalSince(started), 7, "request_timeout (2s) ends the upload")
        XCTAssertTrue(response == nil || response?.status == 408, "\(String(describing: response?.status))")
    }

    func testTruncatedUpload() throws {
        let request = try factory.request(payload(5000), messageID: HTTPMessageFactory.messageID("cut"))
        let fd = try HTTPSocket.connect(port: globex.httpPort)
        HTTPSocket.write(fd, Array(request[0..<(request.count - 3000)]))
        shutdown(fd, Int32(SHUT_WR))
        _ = HTTPSocket.readResponse(fd)
        close(fd)
        Thread.sleep(forTimeInterval: 0.3)
    }

    func testGarbage() throws {
        var g = SystemRandomNumberGenerator()
        let junk = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &g) }
        let response = try HTTPSocket.exchange(port: globex.httpPort, junk + Array("\r\n\r\n".utf8))
        XCTAssertTrue(response == nil || response?.status == 400, "\(String(describing: response?.status))")
        let text = try HTTPSocket.exchange(port: globex.httpPort, Array("HELLO THERE\r\n\r\n".utf8))
        XCTAssertTrue(text == nil || text?.status == 400, "\(String(describing: text?.status))")
    }

    func testWrongMethodAndPath() throws {
        XCTAssertEqual(try HTTPSocket.exchange(port: globex.httpPort, head(["GET /as2 HTTP/1.1", "Host: x", "Connection: close"]))?.status, 405)
        XCTAssertEqual(try HTTPSocket.exchange(port: globex.httpPort, head(["POST /other HTTP/1.1", "Host: x", "Content-Length: 0", "Connection: close"]))?.status, 404)
    }

    func testNotAnAS2BodyGetsAnErrorMDNAndNoDelivery() throws {
        var lines = ["POST /as2 HTTP/1.1", "Host: x", "AS2-Version: 1.2", "AS2-From: ACME", "AS2-To: GLOBEX",
                     "Message-ID: \(HTTPMessageFactory.messageID("junk"))", "Content-Type: application/pkcs7-mime; smime-type=enveloped-data",
                     "Disposition-Notification-To: acme@example.com", "Connection: close"]
        lines.append("Content-Length: 12")
        let response = try HTTPSocket.exchange(port: globex.httpPort, head(lines) + Array("not pkcs7!!!".utf8))
        XCTAssertEqual(response?.status, 200)
        XCTAssertTrue(response?.text.contains("decryption-failed") == true || response?.text.contains("failed") == true, response?.text ?? "")
    }
}
