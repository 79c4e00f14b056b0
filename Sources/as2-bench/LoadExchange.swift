import AS2Bytes
import AS2HTTP
import AS2Protocol
import Foundation
import Logging

/// One POST of a pooled message under a fresh Message-ID, and the check of its signed sync MDN
/// (parsed, signature verified against the receiver's certificate, MIC compared), as a sender does.
struct LoadExchange: Sendable {
    let url: String
    let work: String
    let parties: BenchParties
    let messages: [PooledMessage]
    let client = HTTPClient(version: "bench", logger: Logger(label: "as2-bench", factory: { _ in SwiftLogNoOpLogHandler() }))

    /// nil when the receiver answered with a valid "processed" MDN; else what went wrong.
    func send(index: Int, id: String) async -> String? {
        let message = messages[index % messages.count]
        let headers = message.headers.map { $0.0.lowercased() == "message-id" ? ($0.0, id) : $0 }
        let request = HTTPClientRequest(
            url: url, headers: headers, body: message.body, connectTimeout: .seconds(10), readTimeout: .seconds(60),
            responseSpoolDirectory: work
        )
        do {
            let response = try await client.execute(request)
            guard response.status == 200 else { return "HTTP \(response.status)" }
            let mdn = try MDNParser.parse(headers: response.headers, body: response.body, trusted: [parties.receiver.certificate])
            let expectation = MDNExpectation(
                messageID: id, ourID: try AS2Name(BenchParties.senderName), partnerID: try AS2Name(BenchParties.receiverName),
                expectedMICs: message.expectedMICs, signedReceiptRequested: true
            )
            let evaluation = MDNEvaluator.evaluate(mdn, expecting: expectation)
            guard evaluation.verdict == .delivered else { return "MDN: \(evaluation.verdict)" }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
