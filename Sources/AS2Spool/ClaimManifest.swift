import Foundation

/// `.as2/claims/<id>/.claim.json` of a claim folder: where a claimed file came from and, once
/// finishing started, where it is going — so every step can be re-run after a crash. Flat claims
/// have none; a claim folder of an older version holding a file from the outbox top gets one only
/// when its finish starts (its lone document says where it came from).
struct ClaimManifest: Codable, Equatable {
    struct Finish: Codable, Equatable {
        var destination: String
        /// Folder inside the destination, `/`-separated ("" for the top).
        var folder: String
        var name: String
    }

    var format: Int
    var id: String
    var partner: String
    /// Path inside the outbox, e.g. `2024/inv.edi`.
    var subpath: String
    var claimedAt: Date
    var finish: Finish?

    static let fileName = ".claim.json"

    enum CodingKeys: String, CodingKey {
        case format, id, partner, subpath, finish
        case claimedAt = "claimed_at"
    }
}
