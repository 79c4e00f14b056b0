import AS2Bytes
import Foundation
import Logging
import XCTest

@testable import AS2Spool

/// A fresh folder under /tmp, removed at the end of the test.
final class TestDirectory: Sendable {
    let path: String
    /// `inMemory` puts it on tmpfs (/dev/shm) when there is one: for tests that create
    /// thousands of folders and should not measure a busy disk.
    init(_ name: String = #function, inMemory: Bool = false) throws {
        let root = inMemory && FileSystem.isDirectory("/dev/shm") ? "/dev/shm" : FileManager.default.temporaryDirectory.path
        let base = root + "/as2spool-tests"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = base + "/" + FileSystem.uniqueName(prefix: safe + "-")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func sub(_ relative: String) -> String { path + "/" + relative }
}

/// Writes `text` to `path` the plain way (open, write, close): one IN_CLOSE_WRITE.
func writeFile(_ path: String, _ text: String = "data") throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let sink = try FileSink(path: path, exclusive: false, mode: 0o644)
    try sink.write(text)
    try sink.close()
}

func readText(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

func listing(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}

/// The `as2-agent-watch` built with the package (next to the test bundle), or `$AS2_AGENT_WATCH`.
func watchProgram() throws -> String {
    do {
        return try Watcher.locateProgram()
    } catch {
        XCTFail("as2-agent-watch is not built: run `swift build --build-tests` first (\(error))")
        throw error
    }
}

let testLogger = Logger(label: "as2spool-tests") { _ in SwiftLogNoOpLogHandler() }

/// Collects values from an async sequence in the background so tests can wait for them.
actor Recorder<Element: Sendable> {
    private(set) var items: [Element] = []
    private var task: Task<Void, Never>?

    init() {}

    func start<S: AsyncSequence & Sendable>(_ sequence: S) where S.Element == Element {
        task = Task { [weak self] in
            do {
                for try await item in sequence { await self?.append(item) }
            } catch {}
        }
    }

    private func append(_ item: Element) { items.append(item) }

    /// Waits until `condition` holds for the items so far; fails the test after `timeout`.
    @discardableResult
    func wait(
        timeout: Duration = .seconds(10), file: StaticString = #filePath, line: UInt = #line,
        _ what: String, until condition: @Sendable ([Element]) -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(items) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("timed out waiting for \(what); got \(items)", file: file, line: line)
        return false
    }

    func stop() { task?.cancel() }
}

func sampleReceipt(direction: ReceiptSidecar.Direction, name: String) -> ReceiptSidecar {
    ReceiptSidecar(
        messageId: "<m-\(name)@test>", direction: direction, partner: "acme", as2From: "US", as2To: "ACME",
        file: SidecarFile(name: name, originalName: name, size: 1, sha256: String(repeating: "0", count: 64)),
        timestamps: .init(received: Date(timeIntervalSince1970: 1_714_557_300)),
        security: .init(signed: true, signatureAlgorithm: "sha256", encrypted: false, compressed: false),
        mic: .init(algorithm: "sha256", digest: "AAAA"), mdn: .init(mode: .sync, requestedSigned: true), attempts: 1)
}
