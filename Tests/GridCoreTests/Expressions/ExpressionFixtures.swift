import GridCore

/// The worker ad, job and submitter the expression tests evaluate against.
enum ExpressionFixtures {
    static let worker: Attributes = [
        "cores": 8,
        "memory_gb": 16,
        "load": 0.25,
        "os": "linux",
        "arch": "x86_64",
        "labels.gpu": "a100",
        "labels.zone": "eu-west",
        "slots_free": 2,
        "tags": ["fast", "ssd"],
        "enabled": true,
        "plugin_version": "1.4.2",
        "plugin_range": "~1.4",
        "bad_version": "one",
        "big": .int(Int.max),
        "empty": "",
    ]

    static let job: Attributes = [
        "capability": "hash.blake2b",
        "max_credits": 10,
        "labels.team": "ml",
    ]

    static let submitter = "ab12cd34"

    /// Worker attributes at top level and under `worker.`, the job under `job.`, and `submitter`.
    static let context = Attributes.requirementContext(worker: worker, job: job, submitter: submitter)

    /// Parses a literal such as `3`, `"a"`, `[1, 2]` or `undefined` into the value it denotes.
    static func literal(_ text: String) throws -> Value {
        try MatchExpression(parsing: text).evaluate(Attributes())
    }
}
