import Foundation
import XCTest

/// Base of the HTTP tests: a temporary directory per test and the agent processes it started,
/// all stopped (SIGKILL if needed) and removed in teardown, also when the test fails.
class HTTPAgentTestCase: XCTestCase {
    private(set) var root = ""
    private var nodes: [HTTPAgentNode] = []
    private var cleanups: [() -> Void] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        root = NSTemporaryDirectory() + "as2-http-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for node in nodes { node.crash() }
        for cleanup in cleanups.reversed() { cleanup() }
        if (testRun?.totalFailureCount ?? 0) > 0 {
            for node in nodes { print("--- \(node.party.as2ID) log (last 4000 chars):\n\(node.log.suffix(4000))") }
        }
        try? FileManager.default.removeItem(atPath: root)
        nodes = []
        cleanups = []
        try super.tearDownWithError()
    }

    func node(_ as2ID: String, keyIndex: Int) throws -> HTTPAgentNode {
        let n = try HTTPAgentNode(as2ID: as2ID, root: root, keyIndex: keyIndex)
        nodes.append(n)
        return n
    }

    func onTeardown(_ cleanup: @escaping () -> Void) { cleanups.append(cleanup) }

    /// Two agents, ACME and GLOBEX, each configured with the other as partner `acme`/`globex`.
    func pair(tls: Bool = false, mdn: String = "sync", signed: Bool = true, configure: (inout HTTPPartnerSpec, inout HTTPPartnerSpec) -> Void = { _, _ in }) throws -> (HTTPAgentNode, HTTPAgentNode) {
        let acme = try node("ACME", keyIndex: 0)
        let globex = try node("GLOBEX", keyIndex: 1)
        var toGlobex = globex.asPartner(name: "globex", tls: tls)
        var toAcme = acme.asPartner(name: "acme", tls: tls)
        toGlobex.mdn = mdn
        toGlobex.mdnSigned = signed
        toAcme.mdn = mdn
        toAcme.mdnSigned = signed
        configure(&toGlobex, &toAcme)
        acme.partners = [toGlobex]
        globex.partners = [toAcme]
        if tls {
            acme.publicScheme = "https"
            globex.publicScheme = "https"
        }
        return (acme, globex)
    }

    /// Random bytes (including CR, LF and NUL) so any re-encoding shows up.
    func payload(_ size: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(size + 8)
        while out.count < size { withUnsafeBytes(of: g.next() as UInt64) { out += $0 } }
        return Array(out.prefix(size))
    }
}
