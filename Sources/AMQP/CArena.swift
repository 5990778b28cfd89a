import CRabbitMQ
import struct Foundation.Date

/// Owns the C memory that librabbitmq reads from during one call: librabbitmq keeps the pointers
/// it is given (like `amqp_cstring_bytes`), so every byte buffer and table must outlive the call.
/// Use through `CArena.with`, which frees everything when the closure returns.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    static func with<R>(_ body: (CArena) throws -> R) rethrows -> R {
        let arena = CArena()
        return try withExtendedLifetime(arena) { try body(arena) }
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }

    private func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: alignment)
        allocations.append(pointer)
        return pointer
    }

    func bytes<C: Collection>(_ source: C) -> amqp_bytes_t where C.Element == UInt8 {
        if source.isEmpty { return amqp_bytes_t(len: 0, bytes: nil) }
        let pointer = allocate(byteCount: source.count, alignment: 1)
        let buffer = UnsafeMutableRawBufferPointer(start: pointer, count: source.count)
        _ = buffer.initializeMemory(as: UInt8.self, from: source)
        return amqp_bytes_t(len: source.count, bytes: pointer)
    }

    func bytes(_ string: String) -> amqp_bytes_t { bytes(Array(string.utf8)) }

    /// A NUL-terminated copy, for the few calls that take `const char *`.
    func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let pointer = allocate(byteCount: utf8.count, alignment: 1).bindMemory(to: CChar.self, capacity: utf8.count)
        pointer.initialize(from: utf8, count: utf8.count)
        return UnsafePointer(pointer)
    }

    func table(_ table: AMQPTable) -> amqp_table_t {
        if table.isEmpty { return amqp_table_t(num_entries: 0, entries: nil) }
        let count = table.count
        let raw = allocate(byteCount: MemoryLayout<amqp_table_entry_t>.stride * count,
                           alignment: MemoryLayout<amqp_table_entry_t>.alignment)
        let entries = raw.bindMemory(to: amqp_table_entry_t.self, capacity: count)
        // Sorted so that encoding is deterministic.
        for (index, (key, value)) in table.entries.sorted(by: { $0.key < $1.key }).enumerated() {
            (entries + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: fieldValue(value)))
        }
        return amqp_table_t(num_entries: Int32(count), entries: entries)
    }

    func fieldValue(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .string(let s):
            field.kind = UInt8(ascii: "S")
            field.value.bytes = bytes(s)
        case .bytes(let b):
            field.kind = UInt8(ascii: "x")
            field.value.bytes = bytes(b)
        case .bool(let b):
            field.kind = UInt8(ascii: "t")
            field.value.boolean = b ? 1 : 0
        case .int(let i):
            field.kind = UInt8(ascii: "I")
            field.value.i32 = i
        case .long(let l):
            field.kind = UInt8(ascii: "l")
            field.value.i64 = l
        case .double(let d):
            field.kind = UInt8(ascii: "d")
            field.value.f64 = d
        case .timestamp(let date):
            field.kind = UInt8(ascii: "T")
            field.value.u64 = UInt64(max(0, date.timeIntervalSince1970.rounded(.down)))
        case .table(let t):
            field.kind = UInt8(ascii: "F")
            field.value.table = table(t)
        case .array(let values):
            field.kind = UInt8(ascii: "A")
            if values.isEmpty {
                field.value.array = amqp_array_t(num_entries: 0, entries: nil)
            } else {
                let raw = allocate(byteCount: MemoryLayout<amqp_field_value_t>.stride * values.count,
                                   alignment: MemoryLayout<amqp_field_value_t>.alignment)
                let items = raw.bindMemory(to: amqp_field_value_t.self, capacity: values.count)
                for (index, item) in values.enumerated() { (items + index).initialize(to: fieldValue(item)) }
                field.value.array = amqp_array_t(num_entries: Int32(values.count), entries: items)
            }
        case .void:
            field.kind = UInt8(ascii: "V")
        }
        return field
    }
}

// Decoding from librabbitmq's structures into Swift values (copies; nothing points into C memory).
extension amqp_bytes_t {
    var swiftBytes: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }

    var swiftString: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }
}

extension AMQPTable {
    init(_ table: amqp_table_t) {
        var result: [String: AMQPFieldValue] = [:]
        if table.num_entries > 0, let entries = table.entries {
            for index in 0..<Int(table.num_entries) {
                let entry = entries[index]
                result[entry.key.swiftString] = AMQPFieldValue(entry.value)
            }
        }
        self.init(result)
    }
}

extension AMQPFieldValue {
    init(_ field: amqp_field_value_t) {
        switch field.kind {
        case UInt8(ascii: "S"): self = .string(field.value.bytes.swiftString)
        case UInt8(ascii: "x"): self = .bytes(field.value.bytes.swiftBytes)
        case UInt8(ascii: "t"): self = .bool(field.value.boolean != 0)
        case UInt8(ascii: "b"): self = .int(Int32(field.value.i8))
        case UInt8(ascii: "B"): self = .int(Int32(field.value.u8))
        case UInt8(ascii: "s"): self = .int(Int32(field.value.i16))
        case UInt8(ascii: "u"): self = .int(Int32(field.value.u16))
        case UInt8(ascii: "I"): self = .int(field.value.i32)
        case UInt8(ascii: "i"): self = .long(Int64(field.value.u32))
        case UInt8(ascii: "l"): self = .long(field.value.i64)
        case UInt8(ascii: "L"): self = .long(Int64(truncatingIfNeeded: field.value.u64))
        case UInt8(ascii: "f"): self = .double(Double(field.value.f32))
        case UInt8(ascii: "d"): self = .double(field.value.f64)
        case UInt8(ascii: "D"):
            let decimal = field.value.decimal
            var value = Double(decimal.value)
            for _ in 0..<decimal.decimals { value /= 10 }
            self = .double(value)
        case UInt8(ascii: "T"): self = .timestamp(Date(timeIntervalSince1970: Double(field.value.u64)))
        case UInt8(ascii: "F"): self = .table(AMQPTable(field.value.table))
        case UInt8(ascii: "A"):
            var items: [AMQPFieldValue] = []
            let array = field.value.array
            if array.num_entries > 0, let entries = array.entries {
                for index in 0..<Int(array.num_entries) { items.append(AMQPFieldValue(entries[index])) }
            }
            self = .array(items)
        default: self = .void
        }
    }
}
