import Foundation
import GRDB

/// Hand-written column decoding, the inverse of `MessageRow+Encoding`: GRDB's Codable path read
/// all 47 columns through a keyed decoding container on every fetch (a tenth of the sender's
/// journal CPU per file). JSON columns are read with `databaseJSONDecoder(for:)`, as before; a
/// value that does not fit its type (a corrupt or foreign row) throws, it never traps.
extension MessageRow {
    init(row: Row) throws {
        typealias K = CodingKeys
        func value<V: DatabaseValueConvertible>(_ key: K) throws -> V { try row.decode(forColumn: key.rawValue) }
        func raw<E: RawRepresentable>(_ key: K) throws -> E? where E.RawValue == String {
            guard let text: String = try value(key) else { return nil }
            guard let decoded = E(rawValue: text) else {
                throw JournalError.corruptRow(try? value(K.id), "\(key.rawValue) has the unknown value \(text)")
            }
            return decoded
        }
        func json<T: Decodable>(_ key: K) throws -> T? {
            guard let text: String = try value(key) else { return nil }
            return try Self.databaseJSONDecoder(for: key.rawValue).decode(T.self, from: Data(text.utf8))
        }
        guard let direction: MessageDirection = try raw(K.direction) else {
            throw JournalError.corruptRow(try? value(K.id), "no direction")
        }
        self.init(
            id: try value(K.id), direction: direction, state: try value(K.state), partner: try value(K.partner),
            as2From: try value(K.as2From), as2To: try value(K.as2To), messageID: try value(K.messageID),
            messageIDKey: try value(K.messageIDKey), priorMessageIDs: try json(K.priorMessageIDs),
            fileName: try value(K.fileName), originalPath: try value(K.originalPath),
            claimedPath: try value(K.claimedPath), payloadSize: try value(K.payloadSize),
            payloadSHA256: try value(K.payloadSHA256), bodySHA256: try value(K.bodySHA256),
            builtBodyPath: try value(K.builtBodyPath), builtBody: try value(K.builtBody),
            builtHeaders: try json(K.builtHeaders), micDigests: try json(K.micDigests),
            dateHeader: try value(K.dateHeader), attempts: try value(K.attempts),
            nextAttemptAt: try value(K.nextAttemptAt), mdnDeadline: try value(K.mdnDeadline),
            lastError: try value(K.lastError), disposition: try value(K.disposition), mdnMode: try raw(K.mdnMode),
            mdnRaw: try value(K.mdnRaw), mdnHeaders: try json(K.mdnHeaders), mdnSigned: try value(K.mdnSigned),
            mdnSignatureVerified: try value(K.mdnSignatureVerified), mdnMICMatched: try value(K.mdnMICMatched),
            mdnSigner: try value(K.mdnSigner), mdnAt: try value(K.mdnAt), mdnAsyncURL: try value(K.mdnAsyncURL),
            mdnState: try raw(K.mdnState), mdnAttempts: try value(K.mdnAttempts),
            mdnNextAttemptAt: try value(K.mdnNextAttemptAt), resultPaths: try json(K.resultPaths),
            evidencePaths: try json(K.evidencePaths), evidenceSignedEntity: try value(K.evidenceSignedEntity),
            evidenceSignerSHA256: try value(K.evidenceSignerSHA256), createdAt: try value(K.createdAt),
            updatedAt: try value(K.updatedAt))
    }
}
