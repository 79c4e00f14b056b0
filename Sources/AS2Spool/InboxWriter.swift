import AS2Bytes
import Foundation

/// Delivers received documents into a partner's `inbox/` (DESIGN.md §2): the sidecar(s) appear
/// first, then the complete document, under a name that collides with nothing and can never be
/// mistaken for a sidecar or a temp file. Safe for many deliveries into one inbox at once.
public struct InboxWriter: Sendable {
    /// The outbox ignore rules: a received name they would ignore gets a safe suffix, so
    /// consumers using the same conventions never skip a document.
    public let rules: IgnoreRules

    public init(rules: IgnoreRules = .standard) { self.rules = rules }

    /// Writes `payload` as `inbox/<name>` with `<name>.mdn.json` (and `<name>.mdn`, the raw
    /// receipt we returned) in place before it. `filename` must already be sanitized (a plain
    /// base name); the final name may differ by a safety or `-N` collision suffix, and
    /// `receipt.file.name` is set to it.
    public func deliver(
        _ folders: PartnerFolders, payload: any ByteSource, filename: String, receipt: ReceiptSidecar, rawMDN: [UInt8]?
    ) throws -> DeliveredDocument {
        try deliver(folders, payload: payload, filename: filename) { name in
            var named = receipt
            named.file.name = name
            return Claim.receiptSidecars(try named.encoded(), rawMDN: rawMDN)
        }
    }

    /// Like `deliver(_:payload:filename:receipt:rawMDN:)` with sidecar bytes made by the caller.
    public func deliver(
        _ folders: PartnerFolders, payload: any ByteSource, filename: String, sidecar: Data, rawMDN: [UInt8]?
    ) throws -> DeliveredDocument {
        try deliver(folders, payload: payload, filename: filename) { _ in Claim.receiptSidecars(sidecar, rawMDN: rawMDN) }
    }

    private func deliver(
        _ folders: PartnerFolders, payload: any ByteSource, filename: String,
        sidecars: (String) throws -> [DocumentPlacer.Sidecar]
    ) throws -> DeliveredDocument {
        let name = safeName(filename)
        return try SpoolError.wrapping("delivering \(name) to \(folders.inbox)") {
            try FileSystem.createDirectory(folders.inbox)
            try FileSystem.createDirectory(folders.tmp)
            let staged = folders.tmp + "/" + FileSystem.uniqueName(prefix: "in-", suffix: ".part")
            try write(payload, to: staged)
            defer { try? FileSystem.remove(staged) }
            var rawMDNWritten = false
            var source = staged
            let finalName = try DocumentPlacer.place(
                into: folders.inbox, preferredName: name,
                sidecars: { name in
                    let made = try sidecars(name)
                    rawMDNWritten = made.contains { $0.suffix == ".mdn" }
                    return made
                }
            ) { target in
                do {
                    return try DocumentPlacer.moveNoReplace(source, to: target)
                } catch let ByteError.io(_, _, code) where code == EXDEV {
                    // `.as2` is on another filesystem (a bind mount): stage inside the inbox instead,
                    // under a dot name that every consumer ignores.
                    let local = folders.inbox + "/" + FileSystem.uniqueName(prefix: ".as2-in-", suffix: ".part")
                    try write(payload, to: local)
                    try? FileSystem.remove(source)
                    source = local
                    return try DocumentPlacer.moveNoReplace(source, to: target)
                }
            }
            if source != staged { try? FileSystem.remove(source) }
            let path = folders.inbox + "/" + finalName
            return DeliveredDocument(
                destination: .inbox, name: finalName, path: path, sidecarPath: path + ".mdn.json",
                rawMDNPath: rawMDNWritten ? path + ".mdn" : nil)
        }
    }

    /// The document an earlier, interrupted run already delivered for `messageID` (same payload
    /// sha256) under `filename` or one of its `-N` names, found by its sidecar. A resend after a
    /// crash between the inbox write and the journal commit is then not delivered twice.
    /// A free name means no delivery under it (the usual case: nothing else is read). Otherwise
    /// only the name itself and the 64 highest `-N` numbers are looked at: an interrupted delivery
    /// took the next free number, so it is one of the latest (`CollisionHints`).
    public func existingDelivery(_ folders: PartnerFolders, filename: String, messageID: String, sha256: String) -> DeliveredDocument? {
        let name = safeName(filename)
        if DocumentPlacer.isFree(folders.inbox, name) { return nil }
        let last = CollisionHints.seeded(folders.inbox, name)
        let order = [0] + (last > 0 ? Array(stride(from: last, through: max(1, last - 63), by: -1)) : [])
        for n in order {
            let candidate = DocumentPlacer.candidate(name, n)
            if DocumentPlacer.isFree(folders.inbox, candidate) { continue }
            let path = folders.inbox + "/" + candidate
            guard let data = FileManager.default.contents(atPath: path + ".mdn.json"),
                let sidecar = try? ReceiptSidecar.decode(from: data),
                sidecar.messageId == messageID, sidecar.file.sha256 == sha256, FileSystem.exists(path)
            else { continue }
            return DeliveredDocument(
                destination: .inbox, name: candidate, path: path, sidecarPath: path + ".mdn.json",
                rawMDNPath: FileSystem.exists(path + ".mdn") ? path + ".mdn" : nil)
        }
        return nil
    }

    /// Replaces a sidecar atomically (async MDN delivery status, late updates).
    public func rewriteSidecar(path: String, sidecar: Data) throws {
        try SpoolError.wrapping("rewriting \(path)") {
            try AtomicFile.write(Array(sidecar), to: path, replace: true, mode: 0o640)
        }
    }

    /// `filename` made safe to show in an inbox: a name that ends like a sidecar (`.mdn`,
    /// `.mdn.json`, `.error.json`) or an ignored temp name gets `_` appended; a leading dot (or
    /// another ignored prefix) gets `_` in front; an empty name becomes `document`.
    public func safeName(_ filename: String) -> String {
        var name = filename.isEmpty || filename == "." || filename == ".." ? "document" : filename
        // Defensive: a path separator or NUL would change where the file goes.
        name = String(name.map { $0 == "/" || $0 == "\0" ? "_" : $0 })
        if rules.prefixes.contains(where: { name.hasPrefix($0) }) { name = "_" + name }
        let lower = name.lowercased()
        if DocumentPlacer.sidecarSuffixes.contains(where: { lower.hasSuffix($0) }) || rules.ignores(name: name) {
            name += "_"
        }
        return name
    }

    /// Creates `path` (never replacing) with `payload`; fsynced when `sync`. Removed on failure.
    func write(_ payload: any ByteSource, to path: String, sync: Bool = true) throws {
        try SpoolFileSystem.create(path, with: payload, sync: sync)
    }
}
