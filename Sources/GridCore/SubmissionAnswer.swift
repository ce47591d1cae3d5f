/// The matchmaker's answer to one submission of a batch (`Message.submitMany`): the stored job, or why it was
/// refused.
///
/// On the wire: `{"id": "…", "job": {…}}` when accepted, `{"id": "…", "refused": "a sentence"}` when not.
public enum SubmissionAnswer: Hashable, Sendable, Codable {
    case accepted(JobRecord)
    case refused(JobID, reason: String)

    /// The job the submission was for.
    public var id: JobID {
        switch self {
        case .accepted(let record): return record.id
        case .refused(let id, _): return id
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, job, refused
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let record = try container.decodeIfPresent(JobRecord.self, forKey: .job) {
            self = .accepted(record)
        } else {
            self = .refused(try container.decode(JobID.self, forKey: .id),
                            reason: try container.decode(String.self, forKey: .refused))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        switch self {
        case .accepted(let record): try container.encode(record, forKey: .job)
        case .refused(_, let reason): try container.encode(reason, forKey: .refused)
        }
    }
}
