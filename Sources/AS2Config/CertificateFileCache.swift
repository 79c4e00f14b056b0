import AS2Crypto
import Foundation
import Synchronization

/// Certificate files loaded once and shared: with 10,000 partners naming the same file, the file
/// is parsed once instead of once per partner and use. An entry is reused only while the file
/// is unchanged (same device, inode, size, modification and change time), so a replaced file is
/// read again.
public final class CertificateFileCache: Sendable {
    /// What identifies one version of a file.
    private struct Stamp: Equatable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        let modified: timespec
        let changed: timespec

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = info.st_mtim
            changed = info.st_ctim
        }

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    private struct Entry {
        let stamp: Stamp
        let certificates: [Certificate]
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// check-config's facts per certificate (subject, dates, fingerprint, key size), computed
    /// once however many partners share it; the certificate is kept so its identity stays unique.
    private let facts = Mutex<[ObjectIdentifier: (certificate: Certificate, facts: CertificateFacts)]>([:])

    public init() {}

    /// The certificates of `path`, as `Certificate.load(fromFile:)` returns them; a file that
    /// fails to load is not remembered (the next call reports it again).
    public func certificates(inFile path: String) throws -> [Certificate] {
        guard let stamp = Stamp(path: path) else { return try Certificate.load(fromFile: path) }
        if let entry = entries.withLock({ $0[path] }), entry.stamp == stamp { return entry.certificates }
        let certificates = try Certificate.load(fromFile: path)
        // A file changed while it was read is not remembered under the old stamp.
        if Stamp(path: path) == stamp {
            entries.withLock { $0[path] = Entry(stamp: stamp, certificates: certificates) }
        }
        return certificates
    }

    /// The facts of `certificate`, computed by `compute` on first use.
    func facts(of certificate: Certificate, compute: (Certificate) -> CertificateFacts) -> CertificateFacts {
        let key = ObjectIdentifier(certificate)
        if let known = facts.withLock({ $0[key]?.facts }) { return known }
        let computed = compute(certificate)
        facts.withLock { $0[key] = (certificate, computed) }
        return computed
    }

    /// Number of files remembered (for tests).
    var count: Int { entries.withLock { $0.count } }
}
