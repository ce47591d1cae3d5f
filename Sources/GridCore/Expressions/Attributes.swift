/// A set of named values that expressions read: a worker's ad, a job, or the combination the matchmaker builds.
///
/// Names are dotted paths (`cores`, `labels.gpu`). A whole attribute set can also be attached under a scope name
/// (`worker`, `job`), so `worker.cores` reads `cores` of the attached set without copying it; one scope can be
/// marked as the default, so unqualified names fall back to it. A name that is absent reads as `undefined`.
public struct Attributes: Sendable, Equatable {
    /// An attribute set attached under a name.
    struct Scope: Sendable, Equatable {
        var name: String
        var attributes: Attributes
    }

    private var values: AttributeTable
    /// Every proper dotted prefix of a name in `values` (`labels` for `labels.gpu`), for `has(labels)`.
    private var prefixes: Set<String>
    private var scopes: [Scope]
    /// The scope unqualified names fall back to when they are not in `values`.
    private var defaultScope: Int?

    /// Creates a set from dotted names and values; `.undefined` values are left out.
    public init(_ values: [String: Value] = [:]) {
        self.values = AttributeTable(values)
        self.prefixes = []
        self.scopes = []
        self.defaultScope = nil
        rebuildPrefixes()
    }

    /// The value at a dotted path, or `.undefined`; setting `.undefined` removes the name.
    public subscript(path: String) -> Value {
        get {
            let split = AttributePath(path)
            return value(at: split)
        }
        set {
            if values.set(path, newValue) {
                rebuildPrefixes()
            } else if !newValue.isUndefined {
                Self.addPrefixes(of: path, to: &prefixes)
            }
        }
    }

    /// True when `path` names a value, a group of values (`labels` when `labels.gpu` exists) or a scope.
    public func has(_ path: String) -> Bool {
        has(AttributePath(path))
    }

    /// Attaches `attributes` under `name`, so `name.x` reads `x` of it; with `asDefault`, unqualified names
    /// missing from this set are looked up there too. Scopes inside `attributes` are flattened into it.
    public mutating func attach(_ attributes: Attributes, as name: String, asDefault: Bool = false) {
        let flat = attributes.flattened()
        if let index = scopes.firstIndex(where: { $0.name == name }) {
            scopes[index].attributes = flat
            if asDefault { defaultScope = index }
        } else {
            scopes.append(Scope(name: name, attributes: flat))
            if asDefault { defaultScope = scopes.count - 1 }
        }
    }

    /// Every readable dotted path with its value, sorted by path; scoped values appear as `scope.name`.
    public var all: [(path: String, value: Value)] {
        flattened().values.pairs.sorted { $0.key < $1.key }.map { (path: $0.key, value: $0.value) }
    }

    /// What a job's `requirements` and `rank` see: the worker's attributes at top level and under `worker.`,
    /// the job's under `job.`, and `submitter` (the submitter's peer id in hex).
    public static func requirementContext(worker: Attributes, job: Attributes, submitter: String) -> Attributes {
        var context = Attributes(["submitter": .string(submitter)])
        context.attach(worker, as: "worker", asDefault: true)
        context.attach(job, as: "job")
        return context
    }

    /// What a worker's `accept` policy sees: the job under `job.`, `submitter`, and the worker's own attributes
    /// under `worker.`.
    public static func acceptContext(worker: Attributes, job: Attributes, submitter: String) -> Attributes {
        var context = Attributes(["submitter": .string(submitter)])
        context.attach(worker, as: "worker")
        context.attach(job, as: "job")
        return context
    }

    // MARK: - Lookup used by compiled expressions

    /// Reads a path already split at compile time; does not allocate.
    func value(at path: AttributePath) -> Value {
        if let tail = path.tail {
            // Indexes, not `for scope in scopes`, so no scope is copied (and retained) on this hot path.
            for index in scopes.indices where scopes[index].name == path.head {
                return scopes[index].attributes.values.lookup(tail, hash: path.tailHash) ?? .undefined
            }
        }
        if let found = values.lookup(path.full, hash: path.fullHash) { return found }
        if let defaultScope, defaultScope < scopes.count {
            return scopes[defaultScope].attributes.values.lookup(path.full, hash: path.fullHash) ?? .undefined
        }
        return .undefined
    }

    func has(_ path: AttributePath) -> Bool {
        if let tail = path.tail {
            for scope in scopes where scope.name == path.head {
                return scope.attributes.hasOwn(tail)
            }
        } else if scopes.contains(where: { $0.name == path.head }) {
            return true
        }
        if hasOwn(path.full) { return true }
        if let defaultScope, defaultScope < scopes.count {
            return scopes[defaultScope].attributes.hasOwn(path.full)
        }
        return false
    }

    private func hasOwn(_ full: String) -> Bool {
        values[full] != nil || prefixes.contains(full)
    }

    // MARK: - Helpers

    private func flattened() -> Attributes {
        guard !scopes.isEmpty else { return self }
        var flat = Dictionary(values.pairs, uniquingKeysWith: { first, _ in first })
        for (index, scope) in scopes.enumerated() {
            for (key, value) in scope.attributes.values.pairs {
                flat[scope.name + "." + key] = value
                if index == defaultScope, flat[key] == nil { flat[key] = value }
            }
        }
        return Attributes(flat)
    }

    private mutating func rebuildPrefixes() {
        prefixes.removeAll()
        for key in values.keys { Self.addPrefixes(of: key, to: &prefixes) }
    }

    private static func addPrefixes(of path: String, to prefixes: inout Set<String>) {
        var index = path.startIndex
        while let dot = path[index...].firstIndex(of: ".") {
            prefixes.insert(String(path[..<dot]))
            index = path.index(after: dot)
        }
    }
}

extension Attributes: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A dotted path split once, at compile time, into what `Attributes` needs to look it up without allocating.
struct AttributePath: Sendable, Hashable {
    /// The whole path, `labels.gpu`.
    let full: String
    /// The first segment, `labels`.
    let head: String
    /// Everything after the first dot, `gpu`; nil for a single segment.
    let tail: String?
    /// `AttributeTable.hash` of `full` and of `tail`, computed once.
    let fullHash: UInt64
    let tailHash: UInt64

    init(_ full: String) {
        self.full = full
        if let dot = full.firstIndex(of: ".") {
            head = String(full[..<dot])
            tail = String(full[full.index(after: dot)...])
        } else {
            head = full
            tail = nil
        }
        fullHash = AttributeTable.hash(full)
        tailHash = tail.map(AttributeTable.hash) ?? 0
    }
}
