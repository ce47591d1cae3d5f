import GridCore

/// Names that identify one operator's ledger wherever it is copied.
public enum LedgerLog {
    /// The origin line of a ledger's checkpoints: names the log by its operator.
    public static func origin(of operatorID: PeerID) -> String {
        "peergrid/ledger/" + operatorID.hex
    }
}
