import Testing
import TradingCore

/// ESM acknowledgements.
struct CommandAckTests {
    private func decode(_ text: String, property: String? = nil) -> Result<CommandAck, CommandRejection> {
        CommandAck.decode(Array(text.utf8), correlationIDProperty: property)
    }

    @Test func decodesAFullAck() throws {
        let ack = try decode(#"{"correlationId":"c-1","status":"EXECUTED","executedAt":"2026-01-01T00:00:03.5Z","reason":"done"}"#).get()
        #expect(ack == CommandAck(correlationID: "c-1", status: .executed,
                                  executedAt: TelemetryTimestamp(rfc3339: "2026-01-01T00:00:03.500Z"), reason: "done"))
    }

    @Test func propertyStandsInForCorrelationId() throws {
        #expect(try decode(#"{"status":"ACCEPTED"}"#, property: "c-9").get().correlationID == "c-9")
        #expect(try decode(#"{"correlationId":"body","status":"ACCEPTED"}"#, property: "prop").get().correlationID == "body")
    }

    @Test(arguments: [
        ("{", CommandRejection.Kind.malformed),
        (#""text""#, .malformed),
        (#"{"status":"ACCEPTED"}"#, .missingField),
        (#"{"correlationId":1,"status":"ACCEPTED"}"#, .invalidField),
        (#"{"correlationId":"c"}"#, .missingField),
        (#"{"correlationId":"c","status":"TIMEOUT"}"#, .invalidField),
        (#"{"correlationId":"c","status":"DONE"}"#, .invalidField),
        (#"{"correlationId":"c","status":"EXECUTED","executedAt":"later"}"#, .invalidField),
        (#"{"correlationId":"c","status":"FAILED","reason":5}"#, .invalidField),
    ])
    func rejectsBadAcks(body: String, kind: CommandRejection.Kind) {
        guard case .failure(let rejection) = decode(body) else {
            Issue.record("\(body) was accepted")
            return
        }
        #expect(rejection.kind == kind)
    }

    @Test func finalStatuses() {
        #expect(CommandAckStatus.allCases.filter(\.isFinal) == [.rejected, .executed, .failed])
        #expect(CommandType.allCases.filter(\.isRelayable) == [.siteSetpoint, .modeChange])
    }
}
