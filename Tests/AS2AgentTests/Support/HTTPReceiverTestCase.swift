import Foundation
import XCTest

/// GLOBEX as a running agent with partner ACME, which the test plays with hand-built requests
/// on raw connections (short timeouts and limits so hostile requests are cheap to test).
class HTTPReceiverTestCase: HTTPAgentTestCase {
    var globex: HTTPAgentNode!
    var acme: HTTPTestParty!
    var factory: HTTPMessageFactory!

    override func setUpWithError() throws {
        try super.setUpWithError()
        globex = try node("GLOBEX", keyIndex: 1)
        acme = try HTTPTestParty(as2ID: "ACME", directory: root + "/acme", keyIndex: 0)
        var spec = HTTPPartnerSpec(name: "acme", party: acme, url: "http://127.0.0.1:9/as2")
        spec.extra = ["max_message_size = \"4MB\""]
        globex.partners = [spec]
        globex.httpExtra = ["request_timeout = \"2s\"", "idle_timeout = \"2s\"", "max_header_size = \"4KiB\""]
        try globex.start()
        factory = HTTPMessageFactory(from: acme, to: globex.party, workDirectory: root + "/work")
    }

    func post(_ bytes: [UInt8]) throws -> HTTPRawResponse {
        try XCTUnwrap(try HTTPSocket.exchange(port: globex.httpPort, bytes), "no response")
    }

    var inboxDocuments: [String] { globex.files("acme", "inbox").filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".mdn") } }
}
