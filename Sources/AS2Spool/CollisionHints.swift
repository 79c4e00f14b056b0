import Foundation
import Synchronization

/// The highest collision number this process used per folder and name, so that the thousandth
/// `ORDERS.edi` waiting in an inbox costs a few `stat` calls instead of a thousand (and
/// `existingDelivery` reads the sidecars of the latest ones only). A hint, never a truth: names are
/// still checked on disk, and a restart only costs one full scan per name.
enum CollisionHints {
    private static let last = Mutex<[String: Int]>([:])

    /// The last number used for `name` in `dir` (0 when none).
    static func last(_ dir: String, _ name: String) -> Int {
        last.withLock { $0[dir + "/" + name] ?? 0 }
    }

    /// The last number for `name` in `dir`, reading the folder once when this process has no hint
    /// yet (after a start): the highest `<stem>-N<ext>` there.
    static func seeded(_ dir: String, _ name: String) -> Int {
        let known = last(dir, name)
        if known > 0 { return known }
        let (stem, ext) = DocumentPlacer.split(name)
        let prefix = stem + "-"
        var highest = 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where entry.hasPrefix(prefix) && entry.hasSuffix(ext) && entry.count > prefix.count + ext.count {
            let digits = entry.dropFirst(prefix.count).dropLast(ext.count)
            if digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) { highest = max(highest, n) }
        }
        record(dir, name, highest)
        return highest
    }

    static func record(_ dir: String, _ name: String, _ index: Int) {
        guard index > 0 else { return }
        last.withLock { hints in
            if hints.count >= 50_000 { hints.removeAll(keepingCapacity: true) }
            let key = dir + "/" + name
            hints[key] = max(hints[key] ?? 0, index)
        }
    }
}
