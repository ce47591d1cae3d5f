import GRDB
import GridCore
import GridLedger

/// Welcome grants under the store's `GrantPolicy`, with the period's window kept in the same file.
extension MatchmakerStore {
    /// The table holding the current grant window (one row), so the per-period cap survives restarts.
    static func registerGrantMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("grants-v1") { db in
            try db.execute(sql: """
                CREATE TABLE grant_window (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    start INTEGER NOT NULL,
                    granted INTEGER NOT NULL CHECK (granted >= 0)
                );
                """)
        }
    }

    /// Grants the welcome credits to a peer seen for the first time, if the policy allows; returns the decision.
    ///
    /// `offersWork` is whether a registering worker's ad offers any capability (nil for a submitter).
    @discardableResult
    public func grantIfNew(_ peer: PeerID, now: Int64, offersWork: Bool? = nil) throws -> GrantPolicy.Decision {
        try database.write { db in try grantIfNew(peer, now: now, offersWork: offersWork, in: db) }
    }

    func grantIfNew(_ peer: PeerID, now: Int64, offersWork: Bool?, in db: Database) throws -> GrantPolicy.Decision {
        guard grants.amount > 0 else { return .refuse(reason: "the grant is 0 credits") }
        let windowSQL = "SELECT start, granted FROM grant_window WHERE id = 1"
        let windowRow = try Row.fetchOne(db.cachedStatement(sql: windowSQL))
        let window = try windowRow.map {
            GrantWindow(start: try $0.decode(Int64.self, atIndex: 0), granted: try $0.decode(Int64.self, atIndex: 1))
        } ?? GrantWindow(start: now, granted: 0)
        let decision = grants.decide(for: peer, offersWork: offersWork,
                                     alreadyGranted: try Ledger.hasGrant(to: .peer(peer), in: db),
                                     window: window, now: now)
        guard case .grant(let amount, let next) = decision else { return decision }
        let body = try EntryBody(kind: .grant, from: .mint, to: .peer(peer), amount: Int64(amount), job: nil,
                                 author: identity.peerID, timestamp: now, memo: "welcome grant")
        try ledger.append(try body.signed(by: identity), in: db)
        try db.execute(sql: """
            INSERT INTO grant_window (id, start, granted) VALUES (1, ?, ?)
            ON CONFLICT (id) DO UPDATE SET start = excluded.start, granted = excluded.granted
            """, arguments: [next.start, next.granted])
        return decision
    }

    /// Grants the welcome credits to a new peer, durably; returns the decision.
    func grantDurably(_ peer: PeerID, now: Int64, offersWork: Bool?) async throws -> GrantPolicy.Decision {
        try await writer.write { db in try self.grantIfNew(peer, now: now, offersWork: offersWork, in: db) }
    }
}

extension GrantPolicy.Decision {
    /// The credits granted; 0 when refused.
    public var granted: Int {
        if case .grant(let amount, _) = self { return amount }
        return 0
    }
}
