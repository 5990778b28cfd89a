import Synchronization

/// Request ids: the client's `X-Request-Id` when it is sane, else a fresh one made of a random
/// per-process prefix and a counter (unique within the process, unlikely to collide across).
enum RequestID {
    private static let prefix: String = {
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()
    private static let counter = Atomic<UInt64>(0)

    static func generate() -> String {
        let value = counter.add(1, ordering: .relaxed).newValue
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    /// 1 to 128 visible ASCII characters: safe to echo and to log.
    static func isSane(_ candidate: String) -> Bool {
        let bytes = candidate.utf8
        return !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    static func choose(clientValue: String?) -> String {
        if let clientValue, isSane(clientValue) { return clientValue }
        return generate()
    }
}
