import Accounts
import CustomerDataStores
import Domain
import Foundation
import JSON
import Postgres
import Purchases
import Trading
import TradingCore
import Vend

/// Everything the status page shows for one organisation, gathered in one pass.
struct StatusReport: Sendable {
    /// The chart's choice: which plant, how far back, in buckets of how many minutes.
    struct ChartRequest: Sendable, Equatable {
        static let ranges: [(hours: Int, label: String)] = [(1, "1 hour"), (6, "6 hours"), (24, "24 hours"), (168, "7 days")]
        static let intervals = [1, 5, 15, 60]
        var plantID: UUID?
        var hours = 6
        var intervalMinutes = 5
    }

    let organizationSlug: String
    let role: Principal.Role
    let generatedAt: Date
    /// Nil when the organisation has no trading configuration yet.
    let trading: TradingConfigRecord?
    let queues: QueueStatistics.Sample
    let ingest: OrganizationActivityStore.IngestActivity
    let commands: [OrganizationActivityStore.RecentCommand]
    let configChanges: [OrganizationActivityStore.RecentConfigChange]
    let vend: VendActivityStore.Activity
    let purchases: PurchaseActivityStore.Activity
    let customerEvents: CustomerEventActivityStore.Activity
    let plants: [PlantRecord]
    let chart: ChartRequest
    /// The chart's window and the telemetry endpoint's body for it (nil without a plant).
    let chartWindow: TelemetryQueryWindow?
    let chartBuckets: [TelemetryChart.Bucket]
}

/// Gathers a `StatusReport` from the stores (trading, vend, purchases, customer events) and the broker sample, for
/// the caller's organisation (the routes let in only tokens with the `trading` scope).
struct StatusReporter: Sendable {
    let pool: PostgresPool
    let queues: QueueStatistics
    let maximumBuckets: Int
    let now: @Sendable () -> Date

    static let listLength = 10

    func report(for principal: Principal, chart requested: StatusReport.ChartRequest) throws -> StatusReport {
        let organizationID = principal.organizationID
        let sample = queues.sample()
        return try pool.withConnection { connection in
            let trading = try TradingConfigStore.find(organizationID: organizationID, on: connection)
            let plants = try PlantStore.list(organizationID: organizationID, window: PageWindow(limit: 100, offset: 0),
                                             on: connection).records
            var chart = requested
            if chart.plantID == nil || !plants.contains(where: { $0.id == chart.plantID }) { chart.plantID = plants.first?.id }
            let window = chart.plantID == nil ? nil : try chartWindow(chart)
            var buckets: [TelemetryChart.Bucket] = []
            if let plantID = chart.plantID, let window,
               case .found(let body) = try TelemetryQueryStore.telemetryJSON(plantID: plantID, organizationID: organizationID,
                                                                             window: window, on: connection) {
                buckets = TelemetryChart.buckets(fromTelemetryJSON: body)
            }
            let ownQueues = sample.queues.filter { $0.prefix == trading?.queuePrefix }
            return StatusReport(
                organizationSlug: principal.organizationSlug, role: principal.role, generatedAt: now(), trading: trading,
                queues: QueueStatistics.Sample(queues: ownQueues, error: sample.error, takenAt: sample.takenAt),
                ingest: try OrganizationActivityStore.ingestActivity(organizationID: organizationID, on: connection),
                commands: try OrganizationActivityStore.recentCommands(organizationID: organizationID, limit: Self.listLength,
                                                                       on: connection),
                configChanges: try OrganizationActivityStore.recentConfigChanges(organizationID: organizationID,
                                                                                 limit: Self.listLength, on: connection),
                vend: try VendActivityStore.activity(organizationID: organizationID, recentLimit: Self.listLength, on: connection),
                purchases: try PurchaseActivityStore.activity(organizationID: organizationID, recentLimit: Self.listLength,
                                                              on: connection),
                customerEvents: try CustomerEventActivityStore.activity(organizationID: organizationID, recentLimit: Self.listLength,
                                                                        on: connection),
                plants: plants, chart: chart, chartWindow: window, chartBuckets: buckets)
        }
    }

    /// The window the telemetry endpoint would serve for `from = now - hours`, `to = now`.
    private func chartWindow(_ chart: StatusReport.ChartRequest) throws -> TelemetryQueryWindow {
        let to = TelemetryTimestamp(microsecondsSinceEpoch: Int64(now().timeIntervalSince1970 * 1_000_000))
        let from = to.adding(microseconds: -Int64(chart.hours) * 3600 * TelemetryTimestamp.microsecondsPerSecond)
        switch TelemetryQueryWindow.parse(from: from.rfc3339, to: to.rfc3339, interval: String(chart.intervalMinutes), now: to,
                                          maximumBuckets: maximumBuckets) {
        case .success(let window): return window
        case .failure(let error): throw DomainError.invalid(error.message, field: error.field)
        }
    }

    /// The chart choice from the page's query (`plant`, `hours`, `interval`); unknown values fall
    /// back to the defaults rather than failing the whole page.
    static func chartRequest(_ query: [String: String]) -> StatusReport.ChartRequest {
        var chart = StatusReport.ChartRequest()
        chart.plantID = query["plant"].flatMap(UUID.init(uuidString:))
        if let hours = query["hours"].flatMap(Int.init), StatusReport.ChartRequest.ranges.contains(where: { $0.hours == hours }) {
            chart.hours = hours
        }
        if let minutes = query["interval"].flatMap(Int.init), StatusReport.ChartRequest.intervals.contains(minutes) {
            chart.intervalMinutes = minutes
        }
        return chart
    }
}
