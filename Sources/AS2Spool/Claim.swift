import AS2Bytes
import Foundation

/// A file taken out of an outbox by rename(2) into `.as2/claims/` (DESIGN.md §2, §5). From the
/// claim on, the file is never lost: `finishSent` or `finishFailed` moves it to `sent/` or
/// `failed/` under the same subfolder with its sidecar, and every step can be re-run after a crash.
/// A file from the outbox top is claimed flat, as `claims/<id>~<name>` (its name and claim time
/// are in its own name); a file from a subfolder (or with a very long name) gets a claim folder
/// `claims/<id>/<name>` with a manifest recording its subpath — the layout every claim had before,
/// still read and recovered (a lone document in a claim folder is a claim from the outbox top).
public struct Claim: Sendable, Hashable {
    /// Where the claimed document lives in `.as2/claims/`.
    public enum Layout: Sendable, Hashable {
        /// `claims/<id>~<name>`: no folder, no manifest; finished by `stageSent`/`place`.
        case flat
        /// `claims/<id>/<name>` with `.claim.json` (subfolder files, long names, older claims).
        case folder
    }

    public let id: String
    public let folders: PartnerFolders
    /// Path inside the outbox, e.g. `2024/inv.edi`; the document keeps it in `sent/` or `failed/`.
    public let subpath: String
    public let claimedAt: Date
    public let layout: Layout

    init(id: String, folders: PartnerFolders, subpath: String, claimedAt: Date, layout: Layout = .folder) {
        self.id = id
        self.folders = folders
        self.subpath = subpath
        self.claimedAt = claimedAt
        self.layout = layout
    }

    /// Separates the id from the original name in a flat claim's name.
    static let flatSeparator: Character = "~"

    /// The file's name in the outbox.
    public var originalName: String { FileSystem.baseName(subpath) }
    /// `.as2/claims/<id>` (the claim folder of the folder layout).
    public var directory: String { folders.claims + "/" + id }
    /// Where the claimed document is now.
    public var path: String {
        switch layout {
        case .flat: folders.claims + "/" + id + String(Self.flatSeparator) + originalName
        case .folder: directory + "/" + originalName
        }
    }

    /// The outbox folder the file was claimed from.
    var sourceFolder: String {
        let root = OutboxScanner.trimmed(folders.outbox)
        let folder = FileSystem.parentPath((root == "/" ? "/" : root + "/") + subpath)
        return folder.isEmpty ? "." : folder
    }

    /// The folders whose fsync puts the claim's move on disk (the claim's new entry and the outbox
    /// folder it left), for a caller that syncs them itself (e.g. shared across files) instead of
    /// calling `syncMove()`.
    public var moveFolders: [String] {
        switch layout {
        case .flat: [folders.claims, sourceFolder]
        case .folder: [directory, sourceFolder]
        }
    }

    /// Claims `file` (inside the partner's outbox). Returns nil when the file vanished or is not
    /// a regular file (someone else took it, or it is a folder or a link). Throws when the claim
    /// itself fails, e.g. `.crossDevice` when `.as2/` is on another filesystem than the outbox.
    /// With `syncingMove` false the caller calls `syncMove()` (or fsyncs `moveFolders` itself)
    /// before anything is sent, and may read the claimed document meanwhile (e.g. build the
    /// message while the folders sync).
    public static func claim(file: String, folders: PartnerFolders, now: Date = Date(), syncingMove: Bool = true) throws -> Claim? {
        // Whole seconds, as the manifest stores them, so a listed claim equals the one returned here.
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let subpath = try subpath(of: file, in: folders.outbox)
        let name = FileSystem.baseName(subpath)
        guard name != ClaimManifest.fileName else {
            throw SpoolError(.invalidName, "\(file): the name \(ClaimManifest.fileName) is reserved")
        }
        guard SpoolFileSystem.status(file)?.kind == .regular else { return nil }
        if !subpath.contains("/"), name.utf8.count + 40 <= 255 {
            return try claimFlat(file: file, name: name, folders: folders, now: now, syncingMove: syncingMove)
        }
        return try SpoolError.wrapping("claiming \(file)") {
            try FileSystem.createDirectory(folders.claims)
            var id = newID(now)
            while try !SpoolFileSystem.makeDirectory(folders.claims + "/" + id) { id = newID(now) }
            let claim = Claim(id: id, folders: folders, subpath: subpath, claimedAt: now)
            do {
                // The claim folder's entry is on disk before anything is moved into it: a document
                // moved into a folder that a crash then loses would be lost with it.
                try FileSystem.syncDirectory(folders.claims)
                // The subpath is recorded before the document moves in.
                try claim.writeManifest(
                    ClaimManifest(format: 1, id: id, partner: folders.partner, subpath: subpath, claimedAt: now, finish: nil))
                guard try SpoolFileSystem.renameIfPresent(file, to: claim.path) else {
                    try claim.removeDirectory()
                    return nil
                }
            } catch {
                try? claim.removeDirectory()
                throw error
            }
            guard SpoolFileSystem.status(claim.path)?.kind == .regular else {
                // Swapped for something else between the check and the rename: put it back.
                _ = try? FileSystem.renameNoReplace(claim.path, to: file)
                try? claim.removeDirectory()
                return nil
            }
            if syncingMove { try claim.syncMove() }
            return claim
        }
    }

    /// A file from the outbox top: one rename to `claims/<id>~<name>`, nothing created or removed.
    private static func claimFlat(file: String, name: String, folders: PartnerFolders, now: Date, syncingMove: Bool) throws -> Claim? {
        try SpoolError.wrapping("claiming \(file)") {
            // The id holds 64 random bits: no other claim has this name.
            let claim = Claim(id: newID(now), folders: folders, subpath: name, claimedAt: now, layout: .flat)
            if try !SpoolFileSystem.renameIfPresent(file, to: claim.path) {
                // The file is gone (claimed by another task), or the claims folder was missing (a
                // first claim, or removed) — perhaps made meanwhile by a concurrent first claim,
                // so whether the folder exists now says nothing: only the file's absence does.
                guard SpoolFileSystem.status(file) != nil else { return nil }
                try FileSystem.createDirectory(folders.claims)
                try FileSystem.syncDirectory(folders.work)
                guard try SpoolFileSystem.renameIfPresent(file, to: claim.path) else { return nil }
            }
            guard SpoolFileSystem.status(claim.path)?.kind == .regular else {
                // Swapped for something else between the check and the rename: put it back.
                _ = try? FileSystem.renameNoReplace(claim.path, to: file)
                return nil
            }
            if syncingMove { try claim.syncMove() }
            return claim
        }
    }

    /// Puts the move into the claim on disk: the claim folder (the document's new entry) and the
    /// outbox folder it left. Until then a crash may put the document back in the outbox, so this
    /// precedes sending it. The folder fsyncs are shared with the claims made at the same moment
    /// (`FolderSyncs`); call it on a disk thread.
    public func syncMove() throws {
        try SpoolError.wrapping("syncing claim \(id) (\(subpath))") {
            for folder in moveFolders { try FolderSyncs.shared.sync(folder) }
        }
    }

    /// The claim whose document the journal recorded at `claimedPath` (`Claim.path`), or nil when
    /// it is gone. A flat claim is returned only while its document is there; a folder claim also
    /// when its finish was interrupted after the document moved (see `load(id:folders:)`).
    public static func load(claimedPath: String, folders: PartnerFolders) throws -> Claim? {
        let parent = FileSystem.parentPath(claimedPath)
        if parent == folders.claims {
            guard let claim = flat(name: FileSystem.baseName(claimedPath), folders: folders, now: Date()),
                SpoolFileSystem.status(claim.path)?.kind == .regular
            else { return nil }
            return claim
        }
        guard FileSystem.parentPath(parent) == folders.claims,
            let claim = try load(id: FileSystem.baseName(parent), folders: folders), claim.path == claimedPath
        else { return nil }
        return claim
    }

    /// The flat claim named `name` in the claims folder; nil for other names.
    static func flat(name: String, folders: PartnerFolders, now: Date) -> Claim? {
        guard !name.hasPrefix("."), let separator = name.firstIndex(of: flatSeparator) else { return nil }
        let id = String(name[..<separator])
        let original = String(name[name.index(after: separator)...])
        guard !id.isEmpty, !original.isEmpty else { return nil }
        return Claim(id: id, folders: folders, subpath: original, claimedAt: claimTime(id: id) ?? now, layout: .flat)
    }

    /// The claim with `id` (as recorded in the journal), or nil when its folder is gone. A claim
    /// whose finish was interrupted after the document moved is returned too: calling the same
    /// finish again completes it and reports where the document went.
    public static func load(id: String, folders: PartnerFolders) throws -> Claim? {
        guard !id.isEmpty, !id.contains("/"), !id.hasPrefix(".") else {
            throw SpoolError(.invalidName, "\(id) is not a claim id")
        }
        let dir = folders.claims + "/" + id
        guard FileSystem.isDirectory(dir) else { return nil }
        let manifestPath = dir + "/" + ClaimManifest.fileName
        if SpoolFileSystem.status(manifestPath) == nil, let name = try loneDocument(in: dir) {
            return Claim(id: id, folders: folders, subpath: name, claimedAt: claimTime(id: id) ?? Date())
        }
        let manifest = try readManifest(at: manifestPath, id: id)
        return Claim(id: id, folders: folders, subpath: manifest.subpath, claimedAt: manifest.claimedAt)
    }

    /// The claims that still hold a document, oldest first, for recovery at start. Tidies up on
    /// the way: claim folders whose document was already delivered, or whose claim never
    /// completed (older than `staleAfter`), are removed. Call it before new claims are made.
    public static func list(folders: PartnerFolders, staleAfter: TimeInterval = 60, now: Date = Date()) throws -> [Claim] {
        guard FileSystem.isDirectory(folders.claims) else { return [] }
        return try SpoolError.wrapping("listing claims in \(folders.claims)") {
            var claims: [Claim] = []
            for entry in try SpoolFileSystem.list(folders.claims) {
                guard let id = entry.name, !id.hasPrefix(".") else { continue }
                let kind = entry.kind ?? SpoolFileSystem.status(folders.claims + "/" + id)?.kind
                if kind == .regular, let claim = flat(name: id, folders: folders, now: now) {
                    claims.append(claim)
                    continue
                }
                guard kind == .directory else { continue }
                if let claim = try recover(id: id, folders: folders, staleAfter: staleAfter, now: now) {
                    claims.append(claim)
                }
            }
            return claims.sorted { ($0.claimedAt, $0.id) < ($1.claimedAt, $1.id) }
        }
    }

    /// Moves the document to `sent/<subpath>` (with a `-N` suffix if the name is taken) after
    /// writing `<name>.mdn` (the raw receipt, when given) and `<name>.mdn.json` beside it.
    /// `receipt.file.name` is set to the document's final name.
    @discardableResult
    public func finishSent(receipt: ReceiptSidecar, rawMDN: [UInt8]?) throws -> DeliveredDocument {
        try finish(.receipt(receipt, rawMDN: rawMDN))
    }

    /// Like `finishSent(receipt:rawMDN:)` with sidecar bytes made by the caller.
    @discardableResult
    public func finishSent(sidecar: Data, rawMDN: [UInt8]?) throws -> DeliveredDocument {
        try finish(.receiptBytes(sidecar, rawMDN: rawMDN))
    }

    /// Moves the document to `failed/<subpath>` with `<name>.error.json` beside it;
    /// `error.file.name` is set to the document's final name.
    @discardableResult
    public func finishFailed(error: ErrorSidecar) throws -> DeliveredDocument {
        try finish(.error(error))
    }

    /// Like `finishFailed(error:)` with sidecar bytes made by the caller.
    @discardableResult
    public func finishFailed(errorSidecar: Data) throws -> DeliveredDocument {
        try finish(.errorBytes(errorSidecar))
    }

    /// A flat claim is staged, its sidecars fsynced one after the other, and placed; a folder
    /// claim finishes with its manifest.
    private func finish(_ outcome: StagedFinish.Outcome) throws -> DeliveredDocument {
        guard layout == .flat else { return try finish(outcome.destination, sidecars: outcome.sidecars(named:)) }
        let staged = try stage(outcome)
        try SpoolError.wrapping("finishing claim \(id) (\(subpath))") {
            do {
                for path in staged.unsyncedPaths { try FileSystem.syncFile(path) }
            } catch {
                staged.discard()
                throw error
            }
        }
        return try place(staged)
    }

    static func receiptSidecars(_ sidecar: Data, rawMDN: [UInt8]?) -> [DocumentPlacer.Sidecar] {
        var sidecars: [DocumentPlacer.Sidecar] = []
        if let rawMDN { sidecars.append(.init(suffix: ".mdn", bytes: rawMDN)) }
        sidecars.append(.init(suffix: ".mdn.json", bytes: Array(sidecar)))
        return sidecars
    }

    /// The folder-layout finish: the name is reserved in the manifest before anything is written.
    func finish(
        _ destination: DeliveredDocument.Destination, sidecars: (String) throws -> [DocumentPlacer.Sidecar]
    ) throws -> DeliveredDocument {
        try SpoolError.wrapping("finishing claim \(id) (\(subpath))") {
            var manifest = try readManifest()
            let folder = FileSystem.parentPath(subpath)
            let documentPresent = SpoolFileSystem.status(path)?.kind == .regular
            if let earlier = manifest.finish {
                if !documentPresent {
                    // An earlier run moved the document; only the tidying up was left.
                    try removeDirectory()
                    return result(earlier)
                }
                if earlier.destination != destination.rawValue || earlier.folder != folder {
                    // An interrupted run aimed elsewhere: its sidecars have no document, drop them.
                    let dir = SpoolFileSystem.join(root(of: earlier.destination), earlier.folder)
                    if !FileSystem.exists(dir + "/" + earlier.name) {
                        for suffix in DocumentPlacer.sidecarSuffixes { try FileSystem.remove(dir + "/" + earlier.name + suffix) }
                    }
                    manifest.finish = nil
                }
            }
            guard documentPresent else {
                throw SpoolError(.corruptClaim, "claim \(id): the claimed file \(path) is missing")
            }
            let dir = SpoolFileSystem.join(root(of: destination.rawValue), folder)
            try FileSystem.createDirectory(dir)
            var finalName: String?
            if let earlier = manifest.finish {
                // Re-run of an interrupted finish: same name, sidecars rewritten, then the move.
                let rewritten = try sidecars(earlier.name)
                for s in rewritten { try AtomicFile.write(s.bytes, to: dir + "/" + earlier.name + s.suffix, replace: true) }
                if try DocumentPlacer.moveNoReplace(path, to: dir + "/" + earlier.name) {
                    try FileSystem.syncDirectory(dir)
                    finalName = earlier.name
                } else {
                    for s in rewritten { try FileSystem.remove(dir + "/" + earlier.name + s.suffix) }
                }
            }
            if finalName == nil {
                finalName = try DocumentPlacer.place(
                    into: dir, preferredName: originalName, sidecars: sidecars,
                    reserve: { name in
                        manifest.finish = .init(destination: destination.rawValue, folder: folder, name: name)
                        try writeManifest(manifest)
                    },
                    moveDocument: { try DocumentPlacer.moveNoReplace(path, to: $0) })
            }
            try removeDirectory()
            return result(.init(destination: destination.rawValue, folder: folder, name: finalName ?? originalName))
        }
    }

    /// `sent/` or `failed/` of the partner.
    func destinationRoot(_ destination: DeliveredDocument.Destination) -> String {
        destination == .sent ? folders.sent : folders.failed
    }

    private func root(of destination: String) -> String {
        destination == DeliveredDocument.Destination.sent.rawValue ? folders.sent : folders.failed
    }

    private func result(_ finish: ClaimManifest.Finish) -> DeliveredDocument {
        let dir = SpoolFileSystem.join(root(of: finish.destination), finish.folder)
        let base = dir + "/" + finish.name
        let sent = finish.destination == DeliveredDocument.Destination.sent.rawValue
        let hasRaw = sent && FileSystem.exists(base + ".mdn")
        return DeliveredDocument(
            destination: sent ? .sent : .failed, name: finish.name, path: base,
            sidecarPath: base + (sent ? ".mdn.json" : ".error.json"), rawMDNPath: hasRaw ? base + ".mdn" : nil)
    }

    // MARK: manifest and claim folder

    private var manifestPath: String { directory + "/" + ClaimManifest.fileName }

    private func writeManifest(_ manifest: ClaimManifest) throws {
        try AtomicFile.write(Array(SidecarCoding.encode(manifest)), to: manifestPath, replace: true, mode: 0o640)
    }

    /// The manifest; for a claim without one (a file from the outbox top, not finishing yet),
    /// the one it stands for.
    private func readManifest() throws -> ClaimManifest {
        guard FileSystem.isDirectory(directory) else {
            throw SpoolError(.corruptClaim, "claim \(id) no longer exists: it was finished already, or removed")
        }
        if !subpath.contains("/"), SpoolFileSystem.status(manifestPath) == nil {
            return ClaimManifest(format: 1, id: id, partner: folders.partner, subpath: subpath, claimedAt: claimedAt, finish: nil)
        }
        return try Self.readManifest(at: manifestPath, id: id)
    }

    /// The claim time recorded in an id made by `newID`; nil for other names.
    static func claimTime(id: String) -> Date? {
        guard let dash = id.firstIndex(of: "-"), let ms = Int64(id[..<dash]), ms >= 0 else { return nil }
        return Date(timeIntervalSince1970: Double(ms / 1000))
    }

    /// The one document (regular file, not a dot name) in a claim folder; nil for none or several.
    private static func loneDocument(in dir: String) throws -> String? {
        let documents = try SpoolFileSystem.list(dir).compactMap(\.name).filter {
            !$0.hasPrefix(".") && SpoolFileSystem.status(dir + "/" + $0)?.kind == .regular
        }
        return documents.count == 1 ? documents.first : nil
    }

    private static func readManifest(at path: String, id: String) throws -> ClaimManifest {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try SidecarCoding.decode(ClaimManifest.self, from: data)
        } catch {
            throw SpoolError(.corruptClaim, "claim \(id): cannot read \(path): \(error)")
        }
    }

    /// Removes the manifest, leftover temp files and the claim folder (a document still in it
    /// stays, and so does the folder). The removal is not synced: a crash that brings the folder
    /// back (empty, or with its manifest but no document) only leaves what `list` tidies up — a
    /// folder without a document whose manifest records a finish or is older than `staleAfter`,
    /// or has no manifest — and what `load` followed by the same finish completes (the manifest
    /// says where the document went). The document itself is never in a folder removed here.
    private func removeDirectory() throws {
        for entry in (try? SpoolFileSystem.list(directory)) ?? [] {
            guard let name = entry.name, name != originalName,
                name == ClaimManifest.fileName || name.hasPrefix(".tmp-")
            else { continue }
            try FileSystem.remove(directory + "/" + name)
        }
        if SpoolFileSystem.status(path) == nil {
            try SpoolFileSystem.removeDirectory(directory)
        }
    }

    private static func recover(id: String, folders: PartnerFolders, staleAfter: TimeInterval, now: Date) throws -> Claim? {
        let dir = folders.claims + "/" + id
        let manifestPath = dir + "/" + ClaimManifest.fileName
        if SpoolFileSystem.status(manifestPath) != nil {
            let manifest = try readManifest(at: manifestPath, id: id)
            let claim = Claim(id: id, folders: folders, subpath: manifest.subpath, claimedAt: manifest.claimedAt)
            if SpoolFileSystem.status(claim.path)?.kind == .regular { return claim }
            if manifest.finish != nil || now.timeIntervalSince(manifest.claimedAt) > staleAfter {
                try claim.removeDirectory()
            }
            return nil
        }
        // No manifest (a file from the outbox top, or placed by hand): a lone document is claimed
        // at the outbox top, at the time its id records (the time of recovery for other names).
        let documents = try SpoolFileSystem.list(dir).compactMap(\.name).filter {
            !$0.hasPrefix(".") && SpoolFileSystem.status(dir + "/" + $0)?.kind == .regular
        }
        let claimedAt = claimTime(id: id)
        if documents.count == 1, let name = documents.first {
            return Claim(id: id, folders: folders, subpath: name, claimedAt: claimedAt ?? now)
        }
        // An empty folder is a claim that never completed, or one being made right now (its
        // document is not moved in yet): removed once stale.
        if documents.isEmpty, now.timeIntervalSince(claimedAt ?? .distantPast) > staleAfter {
            try Claim(id: id, folders: folders, subpath: "-", claimedAt: now).removeDirectory()
        }
        return nil
    }

    /// The `/`-separated path of `file` inside `outbox`; throws for anything outside it.
    static func subpath(of file: String, in outbox: String) throws -> String {
        let root = OutboxScanner.trimmed(outbox)
        let prefix = root == "/" ? "/" : root + "/"
        guard file.hasPrefix(prefix) else {
            throw SpoolError(.invalidName, "\(file) is not inside the outbox \(outbox)")
        }
        let relative = String(file.dropFirst(prefix.count))
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw SpoolError(.invalidName, "\(file) is not a plain path inside the outbox \(outbox)")
        }
        return relative
    }

    /// Sortable and unique: milliseconds since the epoch and 64 random bits.
    private static func newID(_ now: Date) -> String {
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(ms)-\(String(repeating: "0", count: 16 - random.count))\(random)"
    }
}
