import Foundation
import Synchronization

/// gzip data made with the `gzip` CLI, for servers that send compressed answers.
public enum Gzip {
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        try run("/bin/gzip", ["-c", "-n", "-9"], input: bytes)
    }

    /// `megabytes` MiB of zero bytes, compressed: a decompression bomb (about 1000:1). Made once
    /// per size and process.
    public static func zeros(megabytes: Int) throws -> [UInt8] {
        try cache.withLock { cache in
            if let made = cache[megabytes] { return made }
            let made = try run("/bin/sh", ["-c", "head -c \(megabytes << 20) /dev/zero | gzip -c -n -9"], input: [])
            cache[megabytes] = made
            return made
        }
    }

    private static let cache = Mutex<[Int: [UInt8]]>([:])

    private static func run(_ executable: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw POSIXError(.EIO) }
        return Array(output)
    }
}
