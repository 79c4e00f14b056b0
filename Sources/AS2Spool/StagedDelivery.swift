import AS2Bytes
import Foundation

/// A delivery into inbox/ in three steps, so that its fsyncs can run side by side:
/// `InboxWriter.stage` writes the document and its sidecars under temp names without syncing them,
/// the caller fsyncs `unsyncedPaths` (in parallel), and `InboxWriter.place` moves them into place —
/// sidecars first, then the document — and fsyncs the folder once. The guarantees are those of
/// `InboxWriter.deliver`: nothing visible before its data is on disk, sidecars before the document.
public struct StagedDelivery: Sendable {
    public let folders: PartnerFolders
    /// The name the sidecars were written for (free when staged; `place` falls back to the next
    /// free name if another writer took it meanwhile).
    public let name: String
    let preferredName: String
    /// The document under its temp name in `.as2/tmp/`.
    let document: String
    /// Each sidecar's suffix and temp path in inbox/.
    let sidecars: [(suffix: String, path: String)]
    let receipt: ReceiptSidecar
    let rawMDN: [UInt8]?

    /// Files to fsync before `place`.
    public var unsyncedPaths: [String] { [document] + sidecars.map(\.path) }

    /// Removes the temp files (after a failure).
    public func discard() {
        for path in unsyncedPaths { try? FileSystem.remove(path) }
    }
}

extension InboxWriter {
    /// Step 1: the document and its sidecars (naming `name`) under temp names, not yet synced.
    public func stage(
        _ folders: PartnerFolders, payload: any ByteSource, filename: String, receipt: ReceiptSidecar, rawMDN: [UInt8]?
    ) throws -> StagedDelivery {
        let preferred = safeName(filename)
        return try SpoolError.wrapping("delivering \(preferred) to \(folders.inbox)") {
            try FileSystem.createDirectory(folders.inbox)
            try FileSystem.createDirectory(folders.tmp)
            let name = try DocumentPlacer.freeName(in: folders.inbox, preferred: preferred).name
            let document = folders.tmp + "/" + FileSystem.uniqueName(prefix: "in-", suffix: ".part")
            var written: [String] = []
            do {
                try write(payload, to: document, sync: false)
                written.append(document)
                var named = receipt
                named.file.name = name
                var sidecars: [(suffix: String, path: String)] = []
                for sidecar in Claim.receiptSidecars(try named.encoded(), rawMDN: rawMDN) {
                    let temp = folders.inbox + "/" + FileSystem.uniqueName(prefix: ".tmp-", suffix: ".part")
                    try write(MemoryByteSource(sidecar.bytes), to: temp, sync: false)
                    written.append(temp)
                    sidecars.append((sidecar.suffix, temp))
                }
                return StagedDelivery(
                    folders: folders, name: name, preferredName: preferred, document: document,
                    sidecars: sidecars, receipt: receipt, rawMDN: rawMDN)
            } catch {
                for path in written { try? FileSystem.remove(path) }
                throw error
            }
        }
    }

    /// Step 3, once `staged.unsyncedPaths` are fsynced: sidecars into place, then the document,
    /// then one fsync of inbox/ (shared with the placements finishing at the same time,
    /// `FolderSyncs`). A name taken meanwhile falls back to `deliver`'s placement.
    public func place(_ staged: StagedDelivery) throws -> DeliveredDocument {
        let inbox = staged.folders.inbox
        return try SpoolError.wrapping("delivering \(staged.name) to \(inbox)") {
            var linked: [String] = []
            var collided = false
            for sidecar in staged.sidecars {
                let target = inbox + "/" + staged.name + sidecar.suffix
                if try FileSystem.renameNoReplace(sidecar.path, to: target) {
                    linked.append(target)
                } else {
                    collided = true
                    break
                }
            }
            if !collided {
                do {
                    if try DocumentPlacer.moveNoReplace(staged.document, to: inbox + "/" + staged.name) {
                        try FolderSyncs.shared.sync(inbox)
                        let path = inbox + "/" + staged.name
                        return DeliveredDocument(
                            destination: .inbox, name: staged.name, path: path, sidecarPath: path + ".mdn.json",
                            rawMDNPath: staged.sidecars.contains { $0.suffix == ".mdn" } ? path + ".mdn" : nil)
                    }
                } catch let ByteError.io(_, _, code) where code == EXDEV {
                    // `.as2` on another filesystem: the slow path copies the document into inbox/.
                }
            }
            // Another writer took the name, or the document cannot be linked across filesystems.
            for path in linked { try? FileSystem.remove(path) }
            for sidecar in staged.sidecars { try? FileSystem.remove(sidecar.path) }
            defer { try? FileSystem.remove(staged.document) }
            return try deliver(
                staged.folders, payload: try FileByteSource(path: staged.document), filename: staged.preferredName,
                receipt: staged.receipt, rawMDN: staged.rawMDN)
        }
    }
}
