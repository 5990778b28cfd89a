import AMQP
import Foundation
import Synchronization
import TestSupport
@testable import Tradingd

/// INTERIM (replaced by the ESM simulator once it lands): an ESM for relay tests.
final class RelayTestESM: ESMClientProvider, ESMCommandSending, @unchecked Sendable {
    enum Mode: Sendable { case accept, down, reject(status: Int, reason: String) }

    private struct State {
        var mode = Mode.accept
        var calls: [String: Int] = [:]
        var executed: [String: Int] = [:]
        var ackBeforeResponse: String?
    }

    private let state = Mutex(State())
    let acksQueue: String

    init(acksQueue: String) { self.acksQueue = acksQueue }

    func client(for organizationID: UUID) throws -> any ESMCommandSending { self }

    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }
    /// Publish an ack with this status to `acksQueue` before answering 202.
    func ackBeforeResponse(_ status: String?) { state.withLock { $0.ackBeforeResponse = status } }
    func calls(_ messageID: String) -> Int { state.withLock { $0.calls[messageID] ?? 0 } }
    func executions(_ messageID: String) -> Int { state.withLock { $0.executed[messageID] ?? 0 } }
    var allCalls: [String: Int] { state.withLock { $0.calls } }

    func sendCommand(_ request: ESMCommandRequest) -> ESMCommandOutcome {
        let (mode, ack, first) = state.withLock { s in
            s.calls[request.messageID, default: 0] += 1
            return (s.mode, s.ackBeforeResponse, s.executed[request.messageID] == nil)
        }
        switch mode {
        case .down: return .unavailable(reason: "ESM_UNREACHABLE: connection refused")
        case .reject(let status, let reason): return .rejected(status: status, reason: reason)
        case .accept:
            state.withLock { $0.executed[request.messageID, default: 0] = 1 }
            if first, let ack {
                let body = #"{"correlationId":"\#(request.correlationID)","status":"\#(ack)","executedAt":"2026-01-01T00:00:00Z"}"#
                if let connection = try? TestQueues.connect(name: "test-esm-acks"), let channel = try? connection.openChannel() {
                    try? channel.enableConfirms()
                    _ = try? channel.publish(exchange: "", routingKey: acksQueue, body: Array(body.utf8), properties: .json())
                    try? channel.waitForConfirms()
                    connection.close()
                }
            }
            return .accepted
        }
    }
}
