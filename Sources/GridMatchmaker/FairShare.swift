import Foundation
import GridCore

/// Recent usage per submitter, decaying with a half-life: the submitter who used least lately is served first.
///
/// Usage is kept relative to a reference instant, so decaying never touches the table: a charge at `now` adds
/// `amount × 2^((now − reference) / halfLife)`, and every stored value shrinks by the same factor as time passes,
/// which leaves their order unchanged. When the factor grows large the table is rebased.
struct FairShare: Sendable {
    let halfLife: Duration
    private var reference: ContinuousClock.Instant?
    private var usage: [PeerID: Double] = [:]

    init(halfLife: Duration) {
        self.halfLife = halfLife
    }

    /// The submitter's usage, comparable with every other submitter's (not in any unit).
    func priority(of submitter: PeerID) -> Double {
        usage[submitter] ?? 0
    }

    /// Usage decayed to `now`, in the charged unit (placements), for explanations.
    func usage(of submitter: PeerID, now: ContinuousClock.Instant) -> Double {
        guard let reference else { return 0 }
        return priority(of: submitter) / factor(now, since: reference)
    }

    /// Records `amount` of use by `submitter` at `now`.
    mutating func charge(_ submitter: PeerID, amount: Double = 1, now: ContinuousClock.Instant) {
        let base = reference ?? now
        reference = base
        var scale = factor(now, since: base)
        if scale > 1e100 {
            for key in usage.keys { usage[key]! /= scale }
            reference = now
            scale = 1
        }
        usage[submitter, default: 0] += amount * scale
    }

    private func factor(_ now: ContinuousClock.Instant, since base: ContinuousClock.Instant) -> Double {
        let elapsed = now - base
        let halfLives = Double(elapsed.components.seconds) / Double(max(1, halfLife.components.seconds))
        return pow(2, max(0, halfLives))
    }
}
