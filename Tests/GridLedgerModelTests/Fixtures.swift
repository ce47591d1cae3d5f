import GridTestKit

/// Identities and entry builders (GridTestKit's, shared with GridLedgerTests).
typealias Fixture = LedgerFixture
