/// The local check of a plant schedule before the ESM sees it (DESIGN §6): at most 96 blocks,
/// `"HH:MM"` times (`to` may be `24:00`), `from < to`, sorted and non-overlapping,
/// `pBatMin <= pBatMax`, `0 <= socMin <= socMax <= 100`. Every violation is collected, each with
/// its block index and field.
public enum TimeConfigValidation {
    public static let maximumBlocks = 96
    static let fields = ["from", "to", "pBatMin", "pBatMax", "socMin", "socMax"]

    /// The blocks when every rule holds, else every violation found.
    public static func validate(_ blocks: [[String: TimeConfigInput]]) -> Result<[ESMTimeConfig], TimeConfigErrors> {
        var violations: [TimeConfigViolation] = []
        if blocks.count > maximumBlocks {
            violations.append(.init(index: nil, field: "timeConfigs",
                                    message: "at most \(maximumBlocks) blocks are allowed, got \(blocks.count)"))
        }
        var valid: [ESMTimeConfig] = []
        var previous: (index: Int, from: Int, to: Int, text: String)?
        for (index, block) in blocks.enumerated() {
            func fail(_ field: String, _ message: String) {
                violations.append(.init(index: index, field: field, message: message))
            }
            for key in block.keys.sorted() where !fields.contains(key) {
                fail(key, "unknown field")
            }
            let from = time(block["from"], field: "from", endOfDay: false, fail)
            let to = time(block["to"], field: "to", endOfDay: true, fail)
            let pBatMin = number(block["pBatMin"], field: "pBatMin", fail)
            let pBatMax = number(block["pBatMax"], field: "pBatMax", fail)
            let socMin = number(block["socMin"], field: "socMin", fail)
            let socMax = number(block["socMax"], field: "socMax", fail)

            var ordered = false
            if let from, let to {
                if from.minute >= to.minute {
                    fail("to", "must be after from (\(from.text))")
                } else {
                    ordered = true
                }
            }
            if let from, let previous {
                if from.minute < previous.from {
                    fail("from", "blocks must be sorted by time: starts before block \(previous.index) (from \(previous.text))")
                } else if from.minute < previous.to {
                    fail("from", "overlaps block \(previous.index), which ends at \(Self.text(previous.to))")
                }
            }
            if let pBatMin, let pBatMax, pBatMin > pBatMax {
                fail("pBatMin", "must not exceed pBatMax (\(format(pBatMin)) > \(format(pBatMax)))")
            }
            var socInRange = true
            for (value, field) in [(socMin, "socMin"), (socMax, "socMax")] {
                if let value, !(0...100).contains(value) {
                    fail(field, "must be between 0 and 100, got \(format(value))")
                    socInRange = false
                }
            }
            if socInRange, let socMin, let socMax, socMin > socMax {
                fail("socMin", "must not exceed socMax (\(format(socMin)) > \(format(socMax)))")
            }
            // Later blocks are compared with the last block whose times were valid.
            if let from, let to, ordered {
                previous = (index, from.minute, to.minute, from.text)
            }
            if let from, let to, let pBatMin, let pBatMax, let socMin, let socMax {
                valid.append(ESMTimeConfig(from: from.text, to: to.text, pBatMin: pBatMin, pBatMax: pBatMax, socMin: socMin, socMax: socMax))
            }
        }
        return violations.isEmpty ? .success(valid) : .failure(TimeConfigErrors(violations: violations))
    }

    /// Minutes since midnight of an `"HH:MM"` text (two digits each); `24:00` only when
    /// `allowEndOfDay`.
    public static func minuteOfDay(_ text: String, allowEndOfDay: Bool) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":") else { return nil }
        func digit(_ byte: UInt8) -> Int? { (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil }
        guard let h1 = digit(bytes[0]), let h2 = digit(bytes[1]), let m1 = digit(bytes[3]), let m2 = digit(bytes[4]) else { return nil }
        let hour = h1 * 10 + h2, minute = m1 * 10 + m2
        guard minute < 60 else { return nil }
        if hour == 24 && minute == 0 && allowEndOfDay { return 24 * 60 }
        guard hour < 24 else { return nil }
        return hour * 60 + minute
    }

    static func text(_ minute: Int) -> String {
        let hour = minute / 60, rest = minute % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    private static func time(_ value: TimeConfigInput?, field: String, endOfDay: Bool,
                             _ fail: (String, String) -> Void) -> (minute: Int, text: String)? {
        let expected = endOfDay ? "a time \"HH:MM\" from 00:01 to 24:00" : "a time \"HH:MM\" from 00:00 to 23:59"
        switch value {
        case nil:
            fail(field, "is required")
        case .string(let text):
            if let minute = minuteOfDay(text, allowEndOfDay: endOfDay), endOfDay ? minute > 0 : true {
                return (minute, text)
            }
            fail(field, "must be \(expected), got \"\(text.prefix(16))\"")
        case .number, .other:
            fail(field, "must be \(expected)")
        }
        return nil
    }

    private static func number(_ value: TimeConfigInput?, field: String, _ fail: (String, String) -> Void) -> Double? {
        switch value {
        case nil:
            fail(field, "is required")
        case .number(let number) where number.isFinite:
            return number
        case .number:
            fail(field, "must be a finite number")
        case .string, .other:
            fail(field, "must be a number")
        }
        return nil
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Every violation of a schedule, in block order.
public struct TimeConfigErrors: Error, Sendable, Hashable {
    public var violations: [TimeConfigViolation]

    public init(violations: [TimeConfigViolation]) {
        self.violations = violations
    }
}
