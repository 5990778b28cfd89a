import Observability

/// A long-running part of the daemon (the ingest, the relay, the scheduler, the listener).
public protocol Service: Sendable {
    var name: String { get }
    /// Starts the service; it runs on threads of its own until `stop`.
    func start() throws
    /// Stops taking new work, finishes (commits, acks, answers) what is in flight, and returns by
    /// `deadline`. - Returns: true when everything in flight finished in time.
    func stop(by deadline: ContinuousClock.Instant) -> Bool
}

/// Services started in dependency order and stopped in reverse order under one deadline: the
/// contract of DESIGN §8 and the systemd unit (SIGTERM: stop taking requests, let the consumers
/// commit and ack their batch in flight, exit within the grace).
public final class ServiceGroup: Sendable {
    public let services: [any Service]
    private let logger: Logger

    /// - Parameter services: in dependency order: each may rely on the ones before it.
    public init(_ services: [any Service], logger: Logger = .silent) {
        self.services = services
        self.logger = logger
    }

    /// Starts every service in order. When one fails, those already started are stopped (in
    /// reverse, within `grace`) and the error is thrown.
    public func start(grace: Duration = .seconds(10)) throws {
        for (index, service) in services.enumerated() {
            do {
                try service.start()
            } catch {
                logger.error("service failed to start", ["service": service.name, "error": String(describing: error)])
                _ = Self.stop(Array(services[..<index]), by: .now + grace, logger: logger)
                throw error
            }
        }
    }

    /// Stops every service in reverse order; each gets whatever is left of the one deadline.
    /// - Returns: the names of the services that did not finish in time (empty when all did).
    @discardableResult
    public func stop(within grace: Duration) -> [String] {
        Self.stop(services, by: .now + grace, logger: logger)
    }

    private static func stop(_ services: [any Service], by deadline: ContinuousClock.Instant, logger: Logger) -> [String] {
        var late: [String] = []
        for service in services.reversed() {
            let clean = service.stop(by: deadline)
            if !clean { late.append(service.name) }
            logger.info("service stopped", ["service": service.name, "clean": String(clean)])
        }
        return late
    }
}
