// The ledger's pure model (entries, credit rules, the verification walk) is part of what GridLedger offers: a
// program that keeps a ledger file sees both through `import GridLedger`.
@_exported import GridLedgerModel
