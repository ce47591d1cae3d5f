import GridCore
import Testing

@Suite("Attributes")
struct AttributesTests {
    @Test("Missing names read as undefined and setting undefined removes a name")
    func readAndWrite() {
        var attributes: Attributes = ["cores": 4, "labels.gpu": "a100"]
        #expect(attributes["cores"] == .int(4))
        #expect(attributes["memory_gb"] == .undefined)
        attributes["memory_gb"] = 16
        #expect(attributes["memory_gb"] == .int(16))
        #expect(attributes.has("labels"))
        attributes["labels.gpu"] = .undefined
        #expect(!attributes.has("labels"))
        #expect(attributes["labels.gpu"] == .undefined)
        #expect(Attributes(["x": .undefined]) == Attributes())
    }

    @Test("A scope is read through its name, and the default scope also at top level")
    func scopes() {
        let worker: Attributes = ["cores": 8, "labels.gpu": "h100"]
        var context: Attributes = ["submitter": "ab"]
        context.attach(worker, as: "worker", asDefault: true)
        context.attach(["max_credits": 3], as: "job")
        #expect(context["worker.cores"] == .int(8))
        #expect(context["cores"] == .int(8))
        #expect(context["labels.gpu"] == .string("h100"))
        #expect(context["job.max_credits"] == .int(3))
        #expect(context["max_credits"] == .undefined)
        #expect(context.has("worker.labels"))
        #expect(context.has("job"))
        #expect(!context.has("job.labels"))
        // Own names win over the default scope.
        context["cores"] = 2
        #expect(context["cores"] == .int(2))
        #expect(context["worker.cores"] == .int(8))
        // Attaching again under the same name replaces the scope.
        context.attach(["max_credits": 9], as: "job")
        #expect(context["job.max_credits"] == .int(9))
    }

    @Test("Flattening lists every readable path once, sorted")
    func all() {
        let context = Attributes.requirementContext(worker: ["cores": 8], job: ["max_credits": 3], submitter: "ab")
        #expect(context.all.map(\.path) == ["cores", "job.max_credits", "submitter", "worker.cores"])
        var nested = Attributes()
        nested.attach(context, as: "outer")
        #expect(nested["outer.job.max_credits"] == .int(3))
    }

    @Test("Values print as literals of the language")
    func valueDescriptions() {
        let value: Value = [1, 2.5, "a\"b\\c\n", true, [], .undefined]
        #expect(value.description == "[1, 2.5, \"a\\\"b\\\\c\\n\", true, [], undefined]")
        #expect(Value.decimal(3).description == "3.0")
        #expect(Value.int(3).number == 3)
        #expect(Value.string("3").number == nil)
    }
}
