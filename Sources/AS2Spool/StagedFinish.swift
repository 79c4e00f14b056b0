#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AS2Bytes
import Foundation

/// The finish of a flat claim in three steps, so that its fsyncs can run side by side (as
/// `StagedDelivery` does for inbox/): `Claim.stage` writes the sidecars under temp names in the
/// destination without syncing them, the caller fsyncs `unsyncedPaths`, and `Claim.place` moves
/// the sidecars and then the document into place and fsyncs the folder (or leaves that fsync to
/// the caller, who may share it across files). No manifest: after a crash the name chosen is
/// found again by the sidecar's Message-ID (`Claim.finishedDocument`), and a re-run of the
/// finish reuses the name whose sidecars it left without their document.
public struct StagedFinish: Sendable {
    /// What the sidecars say: a receipt (sent/) or an error (failed/).
    public enum Outcome: Sendable {
        case receipt(ReceiptSidecar, rawMDN: [UInt8]?)
        case receiptBytes(Data, rawMDN: [UInt8]?)
        case error(ErrorSidecar)
        case errorBytes(Data)

        var destination: DeliveredDocument.Destination {
            switch self {
            case .receipt, .receiptBytes: .sent
            case .error, .errorBytes: .failed
            }
        }

        /// The Message-ID the sidecars record, when known (finds an interrupted earlier finish).
        var messageID: String? {
            switch self {
            case let .receipt(receipt, _): receipt.messageId
            case let .error(error): error.messageId
            case .receiptBytes, .errorBytes: nil
            }
        }

        /// The sidecars for a document named `name`.
        func sidecars(named name: String) throws -> [DocumentPlacer.Sidecar] {
            switch self {
            case let .receipt(receipt, rawMDN):
                var named = receipt
                named.file.name = name
                return Claim.receiptSidecars(try named.encoded(), rawMDN: rawMDN)
            case let .receiptBytes(bytes, rawMDN):
                return Claim.receiptSidecars(bytes, rawMDN: rawMDN)
            case let .error(error):
                var named = error
                named.file.name = name
                return [.init(suffix: ".error.json", bytes: Array(try named.encoded()))]
            case let .errorBytes(bytes):
                return [.init(suffix: ".error.json", bytes: Array(bytes))]
            }
        }
    }

    public let claim: Claim
    let outcome: Outcome
    /// The folder the document goes to (`sent/` or `failed/`).
    public let folder: String
    /// The name the sidecars were written for.
    public let name: String
    /// The `-N` number of `name`, so that a collision at `place` goes on from the next one.
    let index: Int
    /// An interrupted earlier finish of this claim left its sidecars under `name`: they are replaced.
    let replacing: Bool
    /// The document is already in place (a crash between its link and the unlink of the claim).
    let alreadyPlaced: Bool
    /// Each sidecar's suffix and temp path in `folder`.
    let sidecars: [(suffix: String, path: String)]

    /// Files to fsync before `place`.
    public var unsyncedPaths: [String] { sidecars.map(\.path) }

    /// Removes the temp files (after a failure).
    public func discard() {
        for sidecar in sidecars { try? FileSystem.remove(sidecar.path) }
    }

    func document() -> DeliveredDocument {
        let path = folder + "/" + name
        let sent = outcome.destination == .sent
        return DeliveredDocument(
            destination: outcome.destination, name: name, path: path, sidecarPath: path + (sent ? ".mdn.json" : ".error.json"),
            rawMDNPath: sidecars.contains { $0.suffix == ".mdn" } ? path + ".mdn" : nil)
    }
}

extension Claim {
    /// Step 1 of a flat claim's finish: picks the name in sent/ or failed/ and writes the sidecars
    /// for it under temp names there, not yet synced. (A folder claim is finished by
    /// `finishSent`/`finishFailed`: `place` of its staged finish does that.)
    public func stage(_ outcome: StagedFinish.Outcome, from start: Int = 0) throws -> StagedFinish {
        try SpoolError.wrapping("finishing claim \(id) (\(subpath))") {
            let dir = destinationRoot(outcome.destination)
            guard layout == .flat else {
                return StagedFinish(
                    claim: self, outcome: outcome, folder: dir, name: originalName, index: 0, replacing: false,
                    alreadyPlaced: false, sidecars: [])
            }
            var own = stat()
            guard lstat(path, &own) == 0, own.st_mode & S_IFMT == S_IFREG else {
                throw SpoolError(.corruptClaim, "claim \(id): the claimed file \(path) is missing")
            }
            try FileSystem.createDirectory(dir)
            let (name, index, found) = try Self.name(in: dir, for: originalName, from: start, messageID: outcome.messageID, document: own)
            if found == .document {
                return StagedFinish(
                    claim: self, outcome: outcome, folder: dir, name: name, index: index, replacing: false,
                    alreadyPlaced: true, sidecars: [])
            }
            var written: [(suffix: String, path: String)] = []
            do {
                for sidecar in try outcome.sidecars(named: name) {
                    let temp = dir + "/" + FileSystem.uniqueName(prefix: ".tmp-", suffix: ".part")
                    try SpoolFileSystem.create(temp, with: MemoryByteSource(sidecar.bytes), sync: false)
                    written.append((sidecar.suffix, temp))
                }
            } catch {
                for sidecar in written { try? FileSystem.remove(sidecar.path) }
                throw error
            }
            return StagedFinish(
                claim: self, outcome: outcome, folder: dir, name: name, index: index, replacing: found == .orphanSidecars,
                alreadyPlaced: false, sidecars: written)
        }
    }

    /// Step 3, once `staged.unsyncedPaths` are fsynced: the sidecars into place, then the document,
    /// then one fsync of the folder, shared with the files finishing there at the same time
    /// (`FolderSyncs`). A name taken meanwhile moves on to the next.
    @discardableResult
    public func place(_ staged: StagedFinish) throws -> DeliveredDocument {
        guard layout == .flat else { return try finish(staged.outcome.destination, sidecars: staged.outcome.sidecars(named:)) }
        return try SpoolError.wrapping("finishing claim \(id) (\(subpath))") {
            let dir = staged.folder
            if staged.alreadyPlaced {
                try FileSystem.remove(path)
                return staged.document()
            }
            var linked: [String] = []
            var collided = false
            var placed = false
            do {
                // The JSON sidecar first: it alone names the message, so that a crash before the
                // document moves leaves a name that the next run recognises as its own.
                let ordered = staged.sidecars.filter { $0.suffix.hasSuffix(".json") } + staged.sidecars.filter { !$0.suffix.hasSuffix(".json") }
                for sidecar in ordered {
                    let target = dir + "/" + staged.name + sidecar.suffix
                    if staged.replacing {
                        try FileSystem.rename(sidecar.path, to: target)
                    } else if try FileSystem.renameNoReplace(sidecar.path, to: target) {
                        linked.append(target)
                    } else {
                        collided = true
                        break
                    }
                }
                placed = try !collided && DocumentPlacer.moveNoReplace(path, to: dir + "/" + staged.name)
            } catch {
                // Sidecars without their document must not stay behind.
                for path in linked { try? FileSystem.remove(path) }
                staged.discard()
                throw error
            }
            if placed {
                // Outside the clean-up above: once the document is in place its sidecars stay with it.
                try FolderSyncs.shared.sync(dir)
                return staged.document()
            }
            // Another writer took the name meanwhile: the next free one.
            for path in linked { try FileSystem.remove(path) }
            staged.discard()
            let next = try stage(staged.outcome, from: staged.index + 1)
            do {
                for path in next.unsyncedPaths { try FileSystem.syncFile(path) }
            } catch {
                next.discard()
                throw error
            }
            return try place(next)
        }
    }

    /// Where an earlier run put the document of the flat claim recorded at `claimedPath` for
    /// `messageID` (sent/ or failed/, found by its sidecar), once the claimed file is gone:
    /// a crash after the document moved and before the journal recorded it. Nil when not found
    /// or `claimedPath` is not a flat claim.
    public static func finishedDocument(claimedPath: String, messageID: String, folders: PartnerFolders) -> DeliveredDocument? {
        guard FileSystem.parentPath(claimedPath) == folders.claims,
            let claim = flat(name: FileSystem.baseName(claimedPath), folders: folders, now: Date())
        else { return nil }
        for destination in [DeliveredDocument.Destination.sent, .failed] {
            let dir = claim.destinationRoot(destination)
            let suffix = destination == .sent ? ".mdn.json" : ".error.json"
            // Every `-N` name up to the highest in the folder (names before it may have been
            // removed by users since): this runs once per such crash, at recovery.
            let last = CollisionHints.seeded(dir, claim.originalName)
            for n in 0...(last + 1) {
                let name = DocumentPlacer.candidate(claim.originalName, n)
                let path = dir + "/" + name
                if FileSystem.exists(path), sidecarMessageID(path + suffix) == messageID {
                    return DeliveredDocument(
                        destination: destination, name: name, path: path, sidecarPath: path + suffix,
                        rawMDNPath: destination == .sent && FileSystem.exists(path + ".mdn") ? path + ".mdn" : nil)
                }
            }
        }
        return nil
    }

    private enum Found { case free, orphanSidecars, document }

    /// The first name for `preferred` in `dir` that is free, or that an interrupted finish of the
    /// same message left behind: its sidecars without the document (reused), or the document
    /// itself, linked but not yet unlinked from the claim (`document` is the claimed file's stat).
    private static func name(
        in dir: String, for preferred: String, from start: Int, messageID: String?, document: stat
    ) throws -> (String, Int, Found) {
        func check(_ name: String) -> Found? {
            let path = dir + "/" + name
            var st = stat()
            if lstat(path, &st) == 0 {
                if st.st_dev == document.st_dev, st.st_ino == document.st_ino { return .document }
                return nil
            }
            let present = DocumentPlacer.sidecarSuffixes.filter { FileSystem.exists(path + $0) }
            if present.isEmpty { return .free }
            guard let messageID else { return nil }
            for suffix in present where suffix.hasSuffix(".json") {
                if sidecarMessageID(path + suffix) == messageID { return .orphanSidecars }
            }
            return nil
        }
        if start == 0, let found = check(DocumentPlacer.candidate(preferred, 0)) {
            return (DocumentPlacer.candidate(preferred, 0), 0, found)
        }
        let first = max(start, 1, CollisionHints.last(dir, preferred) + 1)
        var n = first
        while n < first + 100_000 {
            let name = DocumentPlacer.candidate(preferred, n)
            if let found = check(name) {
                CollisionHints.record(dir, preferred, n)
                return (name, n, found)
            }
            n += 1
        }
        throw SpoolError(.invalidName, "no free name for \(preferred) in \(dir)")
    }

    /// The `message_id` a sidecar records; nil when it cannot be read.
    private static func sidecarMessageID(_ path: String) -> String? {
        struct Recorded: Decodable {
            let messageID: String?
            enum CodingKeys: String, CodingKey { case messageID = "message_id" }
        }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONDecoder().decode(Recorded.self, from: data))?.messageID
    }
}
