import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresNotificationTests {
    let url: String
    let listener: PostgresConnection
    let sender: PostgresConnection

    init() throws {
        url = try TestDatabase.fresh(migrated: false)
        listener = try PostgresConnection(url: url)
        sender = try PostgresConnection(url: url)
    }

    /// Waits (bounded) until at least `count` notifications arrived.
    private func receive(_ count: Int) throws -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while received.count < count, ContinuousClock.now < deadline {
            received += try listener.notifications(waitingUpTo: .milliseconds(200))
        }
        return received
    }

    @Test func notificationsOfTheChannelArriveInCommitOrderWithTheirPayloads() throws {
        try listener.listen("test channel")
        try sender.execute("SELECT pg_notify('test channel', 'first')")
        try sender.execute("SELECT pg_notify('other', 'not listened to')")
        try sender.transaction { tx in
            try tx.execute("SELECT pg_notify('test channel', $1)", ["second"])
        }
        #expect(try receive(2) == [PostgresNotification(channel: "test channel", payload: "first"),
                                   PostgresNotification(channel: "test channel", payload: "second")])
        #expect(try listener.notifications(waitingUpTo: .milliseconds(100)).isEmpty, "nothing else was sent to the channel")
    }

    @Test func aRolledBackTransactionNotifiesNobody() throws {
        try listener.listen("rollback")
        struct Abandon: Error {}
        _ = try? sender.transaction { tx in
            try tx.execute("SELECT pg_notify('rollback', 'never')")
            throw Abandon()
        }
        try sender.execute("SELECT pg_notify('rollback', 'after')")
        #expect(try receive(1).map(\.payload) == ["after"])
    }

    @Test func waitingReturnsEmptyAfterTheTimeout() throws {
        try listener.listen("quiet")
        let started = ContinuousClock.now
        #expect(try listener.notifications(waitingUpTo: .milliseconds(150)).isEmpty)
        #expect(ContinuousClock.now - started >= .milliseconds(140))
    }

    @Test func aTerminatedSessionIsReportedAsLost() throws {
        try listener.listen("lost")
        let pid = try listener.query("SELECT pg_backend_pid()")[0].int(0)
        try sender.execute("SELECT pg_terminate_backend($1::int)", [.int(Int64(pid))])
        let error = try #require(throws: PostgresError.self) {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline { _ = try listener.notifications(waitingUpTo: .milliseconds(200)) }
        }
        #expect(error.code == .connectionLost)
    }
}
