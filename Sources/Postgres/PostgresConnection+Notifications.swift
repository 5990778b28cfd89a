import CPostgres
import Glibc
import Timekeeping

/// One `NOTIFY` received on a connection that `LISTEN`s.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String

    public init(channel: String, payload: String) {
        self.channel = channel
        self.payload = payload
    }
}

extension PostgresConnection {
    /// Subscribes the session to `channel` (`LISTEN`); notifications then arrive through
    /// `notifications(waitingUpTo:)`. Lasts for the session: a new connection must listen again.
    public func listen(_ channel: String) throws {
        try executeScript("LISTEN " + Self.quoteIdentifier(channel))
    }

    /// The notifications received so far, waiting up to `timeout` for the first one when none is
    /// buffered (an empty list when none came). Throws `.connectionLost` when the connection
    /// broke: notifications sent meanwhile are lost, so a caller that caches must forget it all.
    public func notifications(waitingUpTo timeout: Duration) throws -> [PostgresNotification] {
        try exclusively {
            var received = takeNotifications()
            guard received.isEmpty else { return received }
            var descriptor = pollfd(fd: PQsocket(rawHandle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: timeout.wholeMilliseconds))
            if ready < 0, errno != EINTR { throw PostgresError(code: .connectionLost, message: "poll failed: errno \(errno)") }
            if ready > 0 {
                guard PQconsumeInput(rawHandle) == 1 else { throw PostgresError(code: .connectionLost, message: lastErrorMessage) }
                received = takeNotifications()
            }
            guard PQstatus(rawHandle) == CONNECTION_OK else { throw PostgresError(code: .connectionLost, message: lastErrorMessage) }
            return received
        }
    }

    private func takeNotifications() -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let raw = PQnotifies(rawHandle) {
            received.append(PostgresNotification(channel: String(cString: raw.pointee.relname), payload: String(cString: raw.pointee.extra)))
            PQfreemem(raw)
        }
        return received
    }
}
