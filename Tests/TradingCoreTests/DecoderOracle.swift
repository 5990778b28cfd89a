// The oracle of the AMQP message decoders and the time-block validator, shared by the libFuzzer
// target (fuzz/run.sh compiles this file with Sources/TradingCore, JSON and Timekeeping as one
// module) and DecoderCorpusTests (which replays every committed corpus file on every swift test).
import Foundation
#if canImport(TradingCore)
@testable import TradingCore
import JSON
#endif

enum DecoderOracle {
    /// What a corpus folder feeds: `fuzz/corpus/<kind.rawValue>/`.
    enum Kind: String, CaseIterable {
        case telemetry = "telemetry-decoder"
        case meters = "meter-decoder"
        case commands = "command-decoder"
        case acks = "ack-decoder"
        case timeBlocks = "time-block-validator"
    }

    /// A fixed "now", so that a corpus file gives the same verdict on every run.
    static let now = TelemetryTimestamp(secondsSinceEpoch: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let rules = TelemetryValidationRules(maximumFutureSkewSeconds: 300, maximumMeterIDLength: 16)
    static let commandRules = CommandValidationRules(maximumActivePowerKw: 1_000, maximumIdentifierLength: 40)

    /// - Returns: what went wrong, or `nil`.
    static func check(_ kind: Kind, _ input: [UInt8]) -> String? {
        switch kind {
        case .telemetry: return checkTelemetry(input)
        case .meters: return checkMeters(input)
        case .commands: return checkCommand(input)
        case .acks: return checkAck(input)
        case .timeBlocks: return checkTimeBlocks(input)
        }
    }

    // MARK: telemetry and meters

    static func checkTelemetry(_ body: [UInt8]) -> String? {
        let delivery = TelemetryDecoder.decode(body, now: now, rules: rules)
        if let problem = checkElements(delivery, body, { TelemetryDecoder.decode($0, now: now, rules: rules) }) { return problem }
        for sample in delivery.acceptedItems {
            if sample.time > now.adding(microseconds: rules.maximumFutureSkewSeconds * 1_000_000) {
                return "accepted a sample \(sample.time) beyond the future skew"
            }
            if sample.values.count != TelemetryField.allCases.count { return "a sample with \(sample.values.count) values" }
            for field in TelemetryField.allCases {
                guard let value = sample[field] else { continue }
                if !value.isFinite { return "accepted a non-finite \(field.rawValue)" }
                if let range = field.allowedRange, !range.contains(value) { return "accepted \(field.rawValue) = \(value)" }
            }
        }
        return nil
    }

    static func checkMeters(_ body: [UInt8]) -> String? {
        let delivery = MeterReadingDecoder.decode(body, now: now, rules: rules)
        if let problem = checkElements(delivery, body, { MeterReadingDecoder.decode($0, now: now, rules: rules) }) { return problem }
        for reading in delivery.acceptedItems {
            if !reading.energy.isFinite { return "accepted a non-finite energy" }
            if reading.meterID.isEmpty || reading.meterID.count > rules.maximumMeterIDLength {
                return "accepted meter id of \(reading.meterID.count) characters"
            }
            if reading.time > now.adding(microseconds: rules.maximumFutureSkewSeconds * 1_000_000) {
                return "accepted a reading \(reading.time) beyond the future skew"
            }
        }
        return nil
    }

    /// Shared by both: a rejected body has no elements; element ranges lie in the body, in order,
    /// without overlap; every element decoded alone (its exact bytes) gets the same verdict.
    static func checkElements<Item>(_ delivery: TelemetryDelivery<Item>, _ body: [UInt8],
                                    _ decode: ([UInt8]) -> TelemetryDelivery<Item>) -> String? {
        if delivery.wholeRejection != nil { return delivery.elements.isEmpty ? nil : "a rejected body with elements" }
        if delivery.elements.isEmpty { return "an accepted body with no element" }
        if !delivery.isArray && delivery.elements.count != 1 { return "a single object gave \(delivery.elements.count) elements" }
        var end = 0
        for (position, element) in delivery.elements.enumerated() {
            if element.index != position { return "element \(position) has index \(element.index)" }
            if element.range.lowerBound < end || element.range.upperBound > body.count { return "element \(position) range \(element.range)" }
            end = element.range.upperBound
            guard delivery.isArray else { continue }
            let bytes = Array(body[element.range])
            let accepted = (try? element.outcome.get()) != nil
            // An array's element must be an object; an object is judged the same alone.
            guard bytes.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }) == UInt8(ascii: "{") else {
                if accepted { return "element \(position) is accepted but is not an object" }
                continue
            }
            let alone = decode(bytes)
            let acceptedAlone = alone.wholeRejection == nil && alone.elements.count == 1 && (try? alone.elements[0].outcome.get()) != nil
            if accepted != acceptedAlone {
                return "element \(position) is \(accepted ? "accepted" : "rejected") in its array but not alone"
            }
        }
        return nil
    }

    // MARK: commands and acks

    static func checkCommand(_ input: [UInt8]) -> String? {
        // Byte 0 chooses which AMQP properties stand in for missing fields.
        guard let control = input.first else { return nil }
        let body = Array(input.dropFirst())
        let messageProperty = control & 1 != 0 ? "prop-message" : nil
        let correlationProperty = control & 2 != 0 ? "prop-correlation" : nil
        let result = CommandDecoder.decode(body, messageIDProperty: messageProperty, correlationIDProperty: correlationProperty,
                                           rules: commandRules)
        let again = CommandDecoder.decode(body, messageIDProperty: messageProperty, correlationIDProperty: correlationProperty,
                                          rules: commandRules)
        if (try? result.get()) != (try? again.get()) { return "two decodings of one body differ" }
        guard case .success(let command) = result else { return nil }
        for (name, value) in [("messageId", command.messageID), ("correlationId", command.correlationID)] {
            if let problem = identifierProblem(name, value, limit: commandRules.maximumIdentifierLength) { return problem }
        }
        if command.plantID == nil && (command.siteID ?? "").isEmpty { return "a command naming no plant" }
        if case .siteSetpoint(let power, let from, let to) = command.payload {
            if !power.isFinite || abs(power) > commandRules.maximumActivePowerKw { return "accepted activePowerKw \(power)" }
            if let from, let to, from > to { return "accepted validFrom after validTo" }
        }
        if JSONValue.parse(Array(command.payloadJSON.utf8))?.objectValue == nil { return "payloadJSON is not an object" }
        return nil
    }

    static func checkAck(_ input: [UInt8]) -> String? {
        guard let control = input.first else { return nil }
        let body = Array(input.dropFirst())
        let property = control & 1 != 0 ? "prop-correlation" : nil
        guard case .success(let ack) = CommandAck.decode(body, correlationIDProperty: property, maximumIdentifierLength: 40) else {
            return nil
        }
        if let problem = identifierProblem("correlationId", ack.correlationID, limit: 40) { return problem }
        if ack.status == .timeout { return "accepted TIMEOUT from the ESM" }
        return nil
    }

    static func identifierProblem(_ name: String, _ value: String, limit: Int) -> String? {
        if value.isEmpty { return "accepted an empty \(name)" }
        if value.count > limit { return "accepted a \(name) of \(value.count) characters" }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return "accepted a \(name) with control characters" }
        return nil
    }

    // MARK: time blocks

    /// The body is JSON: an array of objects whose members become the validator's input.
    static func checkTimeBlocks(_ body: [UInt8]) -> String? {
        guard case .array(let entries)? = JSONValue.parse(body) else { return nil }
        let blocks: [[String: TimeConfigInput]] = entries.map { entry in
            (entry.objectValue ?? [:]).mapValues { value in
                switch value {
                case .string(let text): return .string(text)
                case .number(let number): return .number(number)
                default: return .other(typeName: value.typeName)
                }
            }
        }
        switch TimeConfigValidation.validate(blocks) {
        case .failure(let errors):
            return errors.violations.isEmpty ? "refused with no violation" : nil
        case .success(let valid):
            return independentlyValid(blocks, valid)
        }
    }

    /// The rules of DESIGN §6 computed again, differently: minutes from the digits by hand.
    static func independentlyValid(_ blocks: [[String: TimeConfigInput]], _ valid: [ESMTimeConfig]) -> String? {
        if blocks.count > 96 || valid.count != blocks.count { return "accepted \(blocks.count) blocks as \(valid.count)" }
        var previousEnd = 0
        for (index, block) in blocks.enumerated() {
            if Set(block.keys) != ["from", "to", "pBatMin", "pBatMax", "socMin", "socMax"] { return "block \(index): fields \(block.keys.sorted())" }
            guard case .string(let fromText)? = block["from"], case .string(let toText)? = block["to"],
                  let from = minutes(fromText), let to = minutes(toText), from < 1440, to <= 1440 else {
                return "block \(index): accepted times \(String(describing: block["from"])) - \(String(describing: block["to"]))"
            }
            guard case .number(let pMin)? = block["pBatMin"], case .number(let pMax)? = block["pBatMax"],
                  case .number(let sMin)? = block["socMin"], case .number(let sMax)? = block["socMax"] else {
                return "block \(index): accepted a non-number"
            }
            if from >= to || from < previousEnd { return "block \(index): accepted \(fromText)-\(toText) after \(previousEnd)" }
            if !(pMin <= pMax) || !(0 <= sMin && sMin <= sMax && sMax <= 100) { return "block \(index): accepted limits" }
            if valid[index].from != fromText || valid[index].to != toText { return "block \(index): changed its times" }
            previousEnd = to
        }
        return nil
    }

    /// "HH:MM" with two digits each, minutes < 60; nil otherwise.
    static func minutes(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":") else { return nil }
        let digits = [bytes[0], bytes[1], bytes[3], bytes[4]].map { Int($0) - 48 }
        guard digits.allSatisfy({ (0...9).contains($0) }) else { return nil }
        let hours = digits[0] * 10 + digits[1], minutes = digits[2] * 10 + digits[3]
        guard minutes < 60 else { return nil }
        return hours * 60 + minutes
    }
}
