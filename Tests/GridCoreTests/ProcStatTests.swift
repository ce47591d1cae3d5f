import Foundation
import GridTestKit
import Testing

@Suite("/proc stat fields")
struct ProcStatTests {
    @Test("fields are numbered as proc(5) numbers them, after a name that may hold spaces and parentheses")
    func numbering() throws {
        let own = try #require(ProcStat(path: "/proc/self/stat"))
        #expect(own[4] == Int(getppid()))
        #expect(own[14] != nil && own[15] != nil)
        #expect(own[100] == nil)
        #expect(ProcStat(path: "/proc/self/no-such-file") == nil)
        // A thread may name itself "a) (b c": the name ends at the last closing parenthesis.
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("stat")
        try "42 (a) (b c) S 7 42 42 0 -1 4194560 1 0 0 0 11 12 0 0 20 0\n".write(toFile: path, atomically: true,
                                                                                   encoding: .utf8)
        let stat = try #require(ProcStat(path: path))
        #expect(stat[4] == 7 && stat[14] == 11 && stat[15] == 12 && stat[19] == 0)
        #expect(stat[20] == nil)
    }
}
