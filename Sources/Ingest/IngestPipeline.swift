import Foundation
import Postgres
import TradingCore

/// What differs between the telemetry and the meter consumers: how a body decodes, and how a
/// batch of decoded rows is written.
protocol IngestPipeline: Sendable {
    associatedtype Item: Sendable
    var kind: IngestQueueKind { get }
    func decode(_ body: [UInt8], now: TelemetryTimestamp, rules: TelemetryValidationRules) -> TelemetryDelivery<Item>
    func plantID(of item: Item) -> UUID
    /// Writes the rows; returns how many were new.
    func store(_ items: [Item], on connection: PostgresConnection) throws -> Int
}

struct TelemetryPipeline: IngestPipeline {
    var kind: IngestQueueKind { .telemetry }

    func decode(_ body: [UInt8], now: TelemetryTimestamp, rules: TelemetryValidationRules) -> TelemetryDelivery<TelemetrySample> {
        TelemetryDecoder.decode(body, now: now, rules: rules)
    }

    func plantID(of item: TelemetrySample) -> UUID { item.plantID }

    func store(_ items: [TelemetrySample], on connection: PostgresConnection) throws -> Int {
        try TelemetryWriter.insert(items, on: connection)
    }
}

struct MeterPipeline: IngestPipeline {
    var kind: IngestQueueKind { .meters }

    func decode(_ body: [UInt8], now: TelemetryTimestamp, rules: TelemetryValidationRules) -> TelemetryDelivery<MeterReading> {
        MeterReadingDecoder.decode(body, now: now, rules: rules)
    }

    func plantID(of item: MeterReading) -> UUID { item.plantID }

    func store(_ items: [MeterReading], on connection: PostgresConnection) throws -> Int {
        try TelemetryWriter.insert(items, on: connection)
    }
}
