import Foundation
import Testing
import TradingCore

/// Partner commands: schema, property fallbacks, payload rules and dispositions.
struct CommandDecoderTests {
    private static let plant = UUID(uuidString: "7bc05553-4b68-44e8-b7bc-37be63c6d9e9")!

    private func decode(_ text: String, messageID: String? = nil, correlationID: String? = nil,
                        rules: CommandValidationRules = CommandValidationRules()) -> Result<Command, CommandRejection> {
        CommandDecoder.decode(Array(text.utf8), messageIDProperty: messageID, correlationIDProperty: correlationID, rules: rules)
    }

    private func rejection(_ text: String, messageID: String? = nil) -> CommandRejection? {
        if case .failure(let rejection) = decode(text, messageID: messageID) { rejection } else { nil }
    }

    @Test func decodesASetpoint() throws {
        let command = try decode("""
            {"messageId":"m-1","correlationId":"c-1","plantId":"\(Self.plant)","commandType":"SITE_SETPOINT",
             "payload":{"validTo":"2026-01-01T01:00:00Z","activePowerKw":-250.5,"validFrom":"2026-01-01T00:00:00Z"},
             "validUntil":"2026-01-01T00:05:00Z"}
            """).get()
        #expect(command.messageID == "m-1")
        #expect(command.correlationID == "c-1")
        #expect(command.plantID == Self.plant)
        #expect(command.siteID == nil)
        #expect(command.commandType == .siteSetpoint)
        #expect(command.payload == .siteSetpoint(activePowerKw: -250.5, validFrom: TelemetryTimestamp(rfc3339: "2026-01-01T00:00:00Z"),
                                                 validTo: TelemetryTimestamp(rfc3339: "2026-01-01T01:00:00Z")))
        // Sorted keys, whatever order the partner used.
        #expect(command.payloadJSON == #"{"activePowerKw":-250.5,"validFrom":"2026-01-01T00:00:00Z","validTo":"2026-01-01T01:00:00Z"}"#)
        #expect(command.validUntil == TelemetryTimestamp(rfc3339: "2026-01-01T00:05:00Z"))
    }

    @Test func propertiesStandInForMissingIdentifiers() throws {
        let body = #"{"siteId":"esm-42","commandType":"MODE_CHANGE","payload":{"mode":"CHARGE"}}"#
        let withBoth = try decode(body, messageID: "prop-m", correlationID: "prop-c").get()
        #expect(withBoth.messageID == "prop-m")
        #expect(withBoth.correlationID == "prop-c")
        #expect(withBoth.siteID == "esm-42")
        #expect(withBoth.payload == .modeChange(.charge))
        // No correlationId anywhere: the messageId serves.
        #expect(try decode(body, messageID: "only-m").get().correlationID == "only-m")
        // The body wins over the properties.
        let bodyFirst = #"{"messageId":"body-m","siteId":"s","commandType":"MODE_CHANGE","payload":{"mode":"IDLE"}}"#
        #expect(try decode(bodyFirst, messageID: "prop-m").get().messageID == "body-m")
    }

    @Test(arguments: [
        ("not json", CommandRejection.Kind.malformed),
        ("[1,2]", .malformed),
        (#"{"plantId":"7bc05553-4b68-44e8-b7bc-37be63c6d9e9","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#, .missingField),
        (#"{"messageId":"m","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#, .missingField),
        (#"{"messageId":"m","plantId":"nope","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"REBOOT","payload":{}}"#, .unknownCommandType),
        (#"{"messageId":"m","siteId":"s","commandType":7,"payload":{}}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT"}"#, .missingField),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":[]}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":{}}"#, .missingField),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":{"activePowerKw":"5"}}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":{"activePowerKw":true}}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":{"activePowerKw":100001}}"#, .outOfRange),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":{"activePowerKw":-1e300}}"#, .outOfRange),
        (#"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":{"activePowerKw":1,"validFrom":"2026-01-01T01:00:00Z","validTo":"2026-01-01T00:00:00Z"}}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"MODE_CHANGE","payload":{"mode":"TURBO"}}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"MODE_CHANGE","payload":{}}"#, .missingField),
        (#"{"messageId":"m","siteId":"s","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"},"validUntil":"tomorrow"}"#, .invalidField),
        (#"{"messageId":"","siteId":"s","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#, .missingField),
        (#"{"messageId":"a\u0001b","siteId":"s","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#, .invalidField),
        (#"{"messageId":"m","siteId":"s","commandType":"EMERGENCY","payload":{"note":"a\u0000b"}}"#, .malformed),
    ])
    func rejectsMalformedCommands(body: String, kind: CommandRejection.Kind) {
        let found = rejection(body)
        #expect(found?.kind == kind, "\(body) -> \(String(describing: found))")
        #expect(found?.message.isEmpty == false)
    }

    @Test func powerBoundIsConfigurable() {
        let body = #"{"messageId":"m","siteId":"s","commandType":"SITE_SETPOINT","payload":{"activePowerKw":600}}"#
        #expect((try? decode(body, rules: CommandValidationRules(maximumActivePowerKw: 600)).get()) != nil)
        if case .failure(let rejection) = decode(body, rules: CommandValidationRules(maximumActivePowerKw: 599.5)) {
            #expect(rejection.kind == .outOfRange)
            #expect(rejection.message.contains("600"))
        } else {
            Issue.record("600 kW passed a 599.5 kW bound")
        }
    }

    @Test func longIdentifiersAreRefused() {
        let long = String(repeating: "x", count: 201)
        #expect(rejection(#"{"messageId":"\#(long)","siteId":"s","commandType":"EMERGENCY"}"#)?.kind == .invalidField)
    }

    @Test func dispositions() throws {
        let now = TelemetryTimestamp(rfc3339: "2026-01-01T00:00:00Z")!
        func command(_ type: String, validUntil: String? = nil) throws -> Command {
            let until = validUntil.map { #","validUntil":"\#($0)""# } ?? ""
            let payload = type == "MODE_CHANGE" ? #"{"mode":"AUTO"}"# : #"{"activePowerKw":1}"#
            return try decode(#"{"messageId":"m","siteId":"s","commandType":"\#(type)","payload":\#(payload)\#(until)}"#).get()
        }
        #expect(try command("SITE_SETPOINT").disposition(now: now) == .relay)
        #expect(try command("MODE_CHANGE", validUntil: "2026-01-01T00:00:01Z").disposition(now: now) == .relay)
        guard case .expire = try command("MODE_CHANGE", validUntil: "2026-01-01T00:00:00Z").disposition(now: now) else {
            Issue.record("a command valid until now was not expired")
            return
        }
        for type in ["DEVICE_COMMAND", "EMERGENCY"] {
            guard case .reject(let reason) = try command(type).disposition(now: now) else {
                Issue.record("\(type) was not rejected")
                continue
            }
            #expect(reason.contains(type))
        }
        // Rejected types need no payload at all.
        #expect(try decode(#"{"messageId":"m","siteId":"s","commandType":"EMERGENCY"}"#).get().payloadJSON == "{}")
    }
}
