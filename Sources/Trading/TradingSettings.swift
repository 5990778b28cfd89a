import AMQP
import Foundation

/// What the trading configuration needs from the daemon's configuration.
public struct TradingSettings: Sendable {
    /// The daemon's own broker connection (`TRADINGD_AMQP_URL`): topology is declared through it;
    /// its host, port and vhost (never its credentials) are what partners are told.
    public var amqpURL: AMQPURL
    /// `http://user:password@host:port` of the RabbitMQ management API
    /// (`TRADINGD_AMQP_MANAGEMENT_URL`), through which partner users are managed.
    public var managementURL: String
    /// The shared topic exchange partners publish to (default `trading`).
    public var exchange: String
    /// The dead-letter exchange of the inbound queues (default `trading.dlx`).
    public var deadLetterExchange: String
    /// Host and port partners connect to when they differ from `amqpURL`'s (a public name in
    /// front of a loopback-bound broker, a TLS port...).
    public var partnerHost: String?
    public var partnerPort: Int?
    /// Timeouts and attempts of ESM calls made for the API and the plant sync.
    public var esmConnectTimeout: Duration = .seconds(3)
    public var esmRequestTimeout: Duration = .seconds(10)
    public var esmMaxAttempts: Int = 3
    /// The whole of one ESM call, retries included: under the HTTP handler budget (30 s), so a
    /// request waiting on the ESM is answered by its handler, not by the budget's 503.
    public var esmCallDeadline: Duration = .seconds(20)
    /// ESM calls of one organisation in progress at once (`ESMClientConfiguration.maxConcurrentCalls`):
    /// under the HTTP worker count (16), so a slow ESM holds at most this many workers.
    public var esmMaxConcurrentCalls: Int = 6
    /// Seconds between periodic plant syncs of every enabled organisation (0 turns it off).
    public var plantSyncInterval: Duration = .seconds(300)

    public init(amqpURL: AMQPURL, managementURL: String, exchange: String = "trading", deadLetterExchange: String = "trading.dlx",
                partnerHost: String? = nil, partnerPort: Int? = nil) {
        self.amqpURL = amqpURL
        self.managementURL = managementURL
        self.exchange = exchange
        self.deadLetterExchange = deadLetterExchange
        self.partnerHost = partnerHost
        self.partnerPort = partnerPort
    }
}
