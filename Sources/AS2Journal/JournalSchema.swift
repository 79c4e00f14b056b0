import GRDB

/// The journal's migrations. A migration is never edited once shipped: schema changes are new
/// migrations appended here. Tables are named with literals, not record types, so renaming a
/// Swift type can never change a shipped migration.
enum JournalSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: message and event") { db in
            try db.create(table: "message") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("direction", .text).notNull()
                t.column("state", .text).notNull()
                t.column("partner", .text).notNull()
                t.column("as2_from", .text).notNull()
                t.column("as2_to", .text).notNull()
                t.column("message_id", .text).notNull()
                t.column("message_id_key", .text).notNull()
                t.column("prior_message_ids", .text)
                t.column("file_name", .text)
                t.column("original_path", .text)
                t.column("claimed_path", .text)
                t.column("payload_size", .integer)
                t.column("payload_sha256", .text)
                t.column("body_sha256", .text)
                t.column("built_body_path", .text)
                t.column("built_headers", .text)
                t.column("mic_digests", .text)
                t.column("date_header", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at", .datetime)
                t.column("mdn_deadline", .datetime)
                t.column("last_error", .text)
                t.column("disposition", .text)
                t.column("mdn_mode", .text)
                t.column("mdn_raw", .blob)
                t.column("mdn_headers", .text)
                t.column("mdn_signed", .boolean)
                t.column("mdn_signature_verified", .boolean)
                t.column("mdn_mic_matched", .boolean)
                t.column("mdn_signer", .text)
                t.column("mdn_at", .datetime)
                t.column("mdn_async_url", .text)
                t.column("mdn_state", .text)
                t.column("mdn_attempts", .integer).notNull().defaults(to: 0)
                t.column("mdn_next_attempt_at", .datetime)
                t.column("result_paths", .text)
                t.column("evidence_paths", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            // The duplicate-detection key (requirements R-DUP-1); also keeps outbound Message-IDs unique.
            try db.create(
                index: "message_on_key", on: "message",
                columns: ["direction", "as2_from", "as2_to", "message_id_key"], unique: true)
            try db.create(index: "message_on_state", on: "message", columns: ["direction", "state", "next_attempt_at"])
            try db.create(index: "message_on_mdn_state", on: "message", columns: ["mdn_state", "mdn_next_attempt_at"])
            try db.create(index: "message_on_message_id", on: "message", columns: ["message_id"])
            try db.create(index: "message_on_message_id_key", on: "message", columns: ["message_id_key"])
            try db.create(index: "message_on_partner", on: "message", columns: ["partner", "id"])
            try db.create(index: "message_on_payload_sha256", on: "message", columns: ["payload_sha256"])
            try db.create(index: "message_on_updated_at", on: "message", columns: ["updated_at"])

            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("message_row_id", .integer).notNull().indexed()
                    .references("message", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("state", .text)
                t.column("detail", .text)
            }
        }
        // Evidence of origin in the journal: the signed entity of a received message (up to the
        // agent's limit; larger ones stay files named in evidence_paths) and each signer
        // certificate once, by SHA-256 fingerprint.
        migrator.registerMigration("v2: origin evidence") { db in
            try db.alter(table: "message") { t in
                t.add(column: "evidence_signed_entity", .blob)
                t.add(column: "evidence_signer_sha256", .text)
            }
            try db.create(table: "certificate") { t in
                t.primaryKey("sha256", .text)
                t.column("pem", .text).notNull()
                t.column("subject", .text)
                t.column("first_seen_at", .datetime).notNull()
            }
        }
        // The built request of a small outbound message is kept in its row (written in the same
        // transaction that records the build), not in a body file: one file created, fsynced and
        // removed less per message. Larger bodies stay files named in built_body_path.
        migrator.registerMigration("v3: built body in the journal") { db in
            try db.alter(table: "message") { t in
                t.add(column: "built_body", .blob)
            }
        }
        return migrator
    }()
}
