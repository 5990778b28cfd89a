import Foundation
import Messaging

/// The purchase family's background work as one `Service`: the dispatcher, and for the AMQP
/// engine the status consumer. Started after the database is reachable, stopped before the pool
/// closes; what is in flight (one submit, one status update) finishes first.
public final class PurchaseDispatchService: Service {
    public let name = "purchases"
    public let dispatcher: PurchaseDispatcher
    private let statusConsumer: PurchaseStatusConsumer?

    public init(dispatcher: PurchaseDispatcher, statusConsumer: PurchaseStatusConsumer?) {
        self.dispatcher = dispatcher
        self.statusConsumer = statusConsumer
    }

    public func start() throws {
        dispatcher.start()
        statusConsumer?.start()
    }

    public func stop(by deadline: ContinuousClock.Instant) -> Bool {
        var threads = [dispatcher.thread]
        if let statusConsumer { threads.append(statusConsumer.thread) }
        return threads.stop(by: deadline)
    }
}
