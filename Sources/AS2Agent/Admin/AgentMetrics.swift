import Foundation

/// Counters, gauges and histograms exposed at `/metrics` in the Prometheus text format
/// (version 0.0.4). Small and lock-protected; label sets are few (partner × direction × outcome).
public final class AgentMetrics: @unchecked Sendable {
    // Everything below is guarded by `lock`.
    private let lock = NSLock()
    private var counters: [Key: Double] = [:]
    private var gauges: [Key: Double] = [:]
    private var histograms: [Key: Histogram] = [:]
    private var help: [String: (type: String, text: String)] = [:]

    struct Key: Hashable {
        let name: String
        let labels: [String]  // "k=\"v\"" pairs, sorted
    }

    struct Histogram {
        static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
        var counts = [Int](repeating: 0, count: buckets.count)
        var sum = 0.0
        var count = 0
    }

    public init() {
        describe("as2_messages_total", "counter", "AS2 messages by partner, direction and outcome.")
        describe("as2_bytes_total", "counter", "Payload bytes by partner and direction.")
        describe("as2_retries_total", "counter", "Resend attempts by partner.")
        describe("as2_async_mdn_total", "counter", "Asynchronous MDNs we POSTed, by partner and outcome.")
        describe("as2_outbound_latency_seconds", "histogram", "From the file being claimed in outbox/ to its verified receipt.")
        describe("as2_inbound_processing_seconds", "histogram", "From the request body received to the response.")
        describe("as2_queue_depth", "gauge", "Outbound files waiting or in flight, by partner.")
        describe("as2_certificate_expiry_days", "gauge", "Days until a configured certificate expires.")
        describe("as2_up", "gauge", "1 while the agent listens and watches.")
    }

    private func describe(_ name: String, _ type: String, _ text: String) { help[name] = (type, text) }

    private func key(_ name: String, _ labels: [String: String]) -> Key {
        Key(name: name, labels: labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" })
    }

    /// A label value in the exposition format's quoting: backslash, double quote and line feed
    /// escaped. Runs on every counter update, so the usual value (nothing to escape) is returned
    /// as it is after one pass over its bytes; three `replacingOccurrences` calls (Foundation's
    /// NSString bridge) were 0.7 % of the sender's CPU per file.
    static func escape(_ v: String) -> String {
        guard v.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            return v
        }
        var out = ""
        out.reserveCapacity(v.utf8.count + 8)
        for c in v.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    public func increment(_ name: String, _ labels: [String: String] = [:], by value: Double = 1) {
        let k = key(name, labels)
        lock.withLock { counters[k, default: 0] += value }
    }

    public func set(_ name: String, _ labels: [String: String] = [:], _ value: Double) {
        let k = key(name, labels)
        lock.withLock { gauges[k] = value }
    }

    public func add(_ name: String, _ labels: [String: String] = [:], _ delta: Double) {
        let k = key(name, labels)
        lock.withLock { gauges[k, default: 0] += delta }
    }

    public func observe(_ name: String, _ labels: [String: String] = [:], _ seconds: Double) {
        let k = key(name, labels)
        lock.withLock {
            var h = histograms[k] ?? Histogram()
            for (i, b) in Histogram.buckets.enumerated() where seconds <= b { h.counts[i] += 1 }
            h.sum += seconds
            h.count += 1
            histograms[k] = h
        }
    }

    /// The exposition text.
    public func render() -> String {
        lock.withLock {
            var out = ""
            let names = Set(counters.keys.map(\.name)).union(gauges.keys.map(\.name)).union(histograms.keys.map(\.name)).union(help.keys)
            for name in names.sorted() {
                if let h = help[name] { out += "# HELP \(name) \(h.text)\n# TYPE \(name) \(h.type)\n" }
                for (k, v) in counters where k.name == name { out += line(name, k.labels, v) }
                for (k, v) in gauges where k.name == name { out += line(name, k.labels, v) }
                for (k, h) in histograms where k.name == name {
                    for (i, b) in Histogram.buckets.enumerated() {
                        out += line(name + "_bucket", k.labels + ["le=\"\(b)\""], Double(h.counts[i]))
                    }
                    out += line(name + "_bucket", k.labels + ["le=\"+Inf\""], Double(h.count))
                    out += line(name + "_sum", k.labels, h.sum)
                    out += line(name + "_count", k.labels, Double(h.count))
                }
            }
            return out
        }
    }

    private func line(_ name: String, _ labels: [String], _ value: Double) -> String {
        let l = labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}"
        let v = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        return "\(name)\(l) \(v)\n"
    }
}
