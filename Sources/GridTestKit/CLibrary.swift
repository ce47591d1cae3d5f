import Foundation

/// Builds small C shared libraries for tests with the system's `cc`.
public enum CLibrary {
    /// A failure to compile, with the compiler's messages.
    public struct BuildError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Compiles `source` into the shared library `folder/name` and returns its path.
    public static func compile(_ source: String, named name: String, in folder: String) throws -> String {
        let sourcePath = folder + "/" + name + ".c"
        let libraryPath = folder + "/" + name
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-std=c11", "-O1", "-o", libraryPath, sourcePath]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BuildError(description: "cc failed for \(name): \(message)") }
        return libraryPath
    }

    /// C functions covering every FFI type: each integer width and signedness, float, double, strings,
    /// (pointer, length) buffers, output buffers with and without their size, and void.
    public static let ffiFixtureSource = """
        #include <stdint.h>
        #include <string.h>

        int8_t negate_i8(int8_t x) { return (int8_t)-x; }
        int16_t add_i16(int16_t a, int16_t b) { return (int16_t)(a + b); }
        int32_t add_i32(int32_t a, int32_t b) { return a + b; }
        int64_t add_i64(int64_t a, int64_t b) { return a + b; }
        uint8_t add_u8(uint8_t a, uint8_t b) { return (uint8_t)(a + b); }
        uint16_t add_u16(uint16_t a, uint16_t b) { return (uint16_t)(a + b); }
        uint32_t add_u32(uint32_t a, uint32_t b) { return a + b; }
        uint64_t add_u64(uint64_t a, uint64_t b) { return a + b; }
        float mul_f(float a, float b) { return a * b; }
        double div_d(double a, double b) { return a / b; }
        double mixed(int8_t a, uint16_t b, int32_t c, int64_t d, float e, double f, uint8_t g, int16_t h) {
            return a + b + c + (double)d + e + f + g + h;
        }
        uint64_t string_length(const char *s) { return strlen(s); }
        int32_t starts_with_hello(const char *s) { return strncmp(s, "hello", 5) == 0; }
        uint64_t byte_sum(const uint8_t *p, uint32_t n) {
            uint64_t s = 0;
            for (uint32_t i = 0; i < n; i++) s += p[i];
            return s;
        }
        uint8_t last_byte(const uint8_t *p, uint8_t n) { return n ? p[n - 1] : 0; }
        void reverse_into(const uint8_t *in, uint64_t n, uint8_t *out, uint64_t size) {
            for (uint64_t i = 0; i < n && i < size; i++) out[i] = in[n - 1 - i];
        }
        int32_t fill_letters(uint8_t *out, int32_t n) {
            for (int32_t i = 0; i < n; i++) out[i] = 'a' + i % 26;
            return n;
        }
        void write_greeting(const char *name, uint8_t *out) {
            strcpy((char *)out, "hi ");
            strncat((char *)out, name, 20);
        }
        static int32_t counter = 0;
        void bump(void) { counter++; }
        int32_t counted(void) { return counter; }
        """
}
