import Foundation
import GRDB

/// Hand-written column encoding: GRDB's Codable path encoded all 47 columns through a keyed
/// encoding container on every save (a fifth of the journal's CPU per message). Values are stored
/// exactly as that path stored them — raw values for enums, GRDB's Date format, JSON from
/// `databaseJSONEncoder(for:)` for arrays and dictionaries — and read back by the Codable decoder.
extension MessageRow {
    func encode(to container: inout PersistenceContainer) throws {
        typealias K = CodingKeys
        container[K.id.rawValue] = id
        container[K.direction.rawValue] = direction.rawValue
        container[K.state.rawValue] = state
        container[K.partner.rawValue] = partner
        container[K.as2From.rawValue] = as2From
        container[K.as2To.rawValue] = as2To
        container[K.messageID.rawValue] = messageID
        container[K.messageIDKey.rawValue] = messageIDKey
        container[K.priorMessageIDs.rawValue] = try Self.json(priorMessageIDs, K.priorMessageIDs)
        container[K.fileName.rawValue] = fileName
        container[K.originalPath.rawValue] = originalPath
        container[K.claimedPath.rawValue] = claimedPath
        container[K.payloadSize.rawValue] = payloadSize
        container[K.payloadSHA256.rawValue] = payloadSHA256
        container[K.bodySHA256.rawValue] = bodySHA256
        container[K.builtBodyPath.rawValue] = builtBodyPath
        container[K.builtBody.rawValue] = builtBody
        container[K.builtHeaders.rawValue] = try Self.json(builtHeaders, K.builtHeaders)
        container[K.micDigests.rawValue] = try Self.json(micDigests, K.micDigests)
        container[K.dateHeader.rawValue] = dateHeader
        container[K.attempts.rawValue] = attempts
        container[K.nextAttemptAt.rawValue] = nextAttemptAt
        container[K.mdnDeadline.rawValue] = mdnDeadline
        container[K.lastError.rawValue] = lastError
        container[K.disposition.rawValue] = disposition
        container[K.mdnMode.rawValue] = mdnMode?.rawValue
        container[K.mdnRaw.rawValue] = mdnRaw
        container[K.mdnHeaders.rawValue] = try Self.json(mdnHeaders, K.mdnHeaders)
        container[K.mdnSigned.rawValue] = mdnSigned
        container[K.mdnSignatureVerified.rawValue] = mdnSignatureVerified
        container[K.mdnMICMatched.rawValue] = mdnMICMatched
        container[K.mdnSigner.rawValue] = mdnSigner
        container[K.mdnAt.rawValue] = mdnAt
        container[K.mdnAsyncURL.rawValue] = mdnAsyncURL
        container[K.mdnState.rawValue] = mdnState?.rawValue
        container[K.mdnAttempts.rawValue] = mdnAttempts
        container[K.mdnNextAttemptAt.rawValue] = mdnNextAttemptAt
        container[K.resultPaths.rawValue] = try Self.json(resultPaths, K.resultPaths)
        container[K.evidencePaths.rawValue] = try Self.json(evidencePaths, K.evidencePaths)
        container[K.evidenceSignedEntity.rawValue] = evidenceSignedEntity
        container[K.evidenceSignerSHA256.rawValue] = evidenceSignerSHA256
        container[K.createdAt.rawValue] = createdAt
        container[K.updatedAt.rawValue] = updatedAt
    }

    /// A JSON text column as GRDB's Codable encoding writes it; `nil` stays NULL.
    private static func json(_ value: (some Encodable)?, _ key: CodingKeys) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try databaseJSONEncoder(for: key.rawValue).encode(value), as: UTF8.self)
    }
}
