import Foundation
import JSON
import Trading
import TradingCore

/// How trading records read in the seed's responses (`004`); the stores return the records, this
/// is the only place that knows their wire shape.
enum TradingJSON {
    /// RFC 3339 in UTC with milliseconds (`2026-01-15T11:00:00.125Z`), or null: the one format
    /// of every trading timestamp (`TelemetryTimestamp.rfc3339Milliseconds`).
    static func timestamp(_ date: Date?) -> JSONValue {
        guard let date else { return .null }
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return .string(TelemetryTimestamp(microsecondsSinceEpoch: micros).rfc3339Milliseconds)
    }

    static func timestamp(_ time: TelemetryTimestamp?) -> JSONValue {
        time.map { .string($0.rfc3339Milliseconds) } ?? .null
    }

    static func uuid(_ id: UUID?) -> JSONValue {
        id.map { .string($0.uuidString.lowercased()) } ?? .null
    }

    static func string(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    /// The seed's config object: never the secret, only `hasEsmCredentials`.
    static func config(_ record: TradingConfigRecord) -> JSONValue {
        [
            "createdAt": timestamp(record.createdAt),
            "esmApiUrl": string(record.esmAPIURL),
            "esmClientId": string(record.esmClientID),
            "hasEsmCredentials": .bool(record.hasESMCredentials),
            "id": .string(record.id.uuidString.lowercased()),
            "lastSyncAt": timestamp(record.lastSyncAt),
            "lastSyncError": string(record.lastSyncError),
            "organizationId": .string(record.organizationID.uuidString.lowercased()),
            "queuePrefix": .string(record.queuePrefix),
            "status": .string(record.status.rawValue),
            "updatedAt": timestamp(record.updatedAt),
        ]
    }

    static func plant(_ plant: PlantRecord) -> JSONValue {
        [
            "id": uuid(plant.id),
            "name": .string(plant.name),
            "esmPlantId": string(plant.esmPlantID),
            "esmState": string(plant.esmState),
            "esmLinked": .bool(plant.isLinked),
            "createdAt": timestamp(plant.createdAt),
            "updatedAt": timestamp(plant.updatedAt),
        ]
    }

    /// The seed's config log object.
    static func configLogEntry(_ entry: PlantConfigLogEntry) -> JSONValue {
        let snapshot = JSONValue.parse(Array(entry.configSnapshot.utf8)) ?? [:]
        return [
            "configSnapshot": snapshot,
            "createdAt": timestamp(entry.createdAt),
            "id": .number(Double(entry.id)),
            "isError": .bool(entry.isError),
            "isTerminal": .bool(entry.isTerminal),
            "message": string(entry.message),
            "plantId": uuid(entry.plantID),
            "requestCode": string(entry.requestCode),
            "requestedBy": uuid(entry.requestedBy),
            "respondedAt": timestamp(entry.respondedAt),
            "resultCode": string(entry.resultCode),
            "sentAt": timestamp(entry.sentAt),
            "validateOnly": .bool(entry.validateOnly),
        ]
    }

    /// The configuration the ESM holds, in the seed's shape (`plantId` is tradingd's id).
    static func plantConfig(_ config: ESMPlantConfig, plantID: UUID) -> JSONValue {
        [
            "configEnabled": .bool(config.configEnabled),
            "esiState": .string(config.esiState),
            "plantId": uuid(plantID),
            "timeConfigs": .array(config.timeConfigs.map(PlantConfigService.json)),
            "version": .number(Double(config.version)),
        ]
    }

    static func commandLogEntry(_ entry: CommandLogStore.Entry) -> JSONValue {
        let payload = JSONValue.parse(Array(entry.payloadJSON.utf8)) ?? .object([:])
        return .object([
            "id": .string(entry.id.uuidString.lowercased()),
            "organizationId": .string(entry.organizationID.uuidString.lowercased()),
            "messageId": .string(entry.messageID),
            "correlationId": .string(entry.correlationID),
            "commandType": .string(entry.commandType),
            "payload": payload,
            "routingKey": .string(entry.routingKey),
            "siteId": string(entry.siteID),
            "status": .string(entry.status),
            "ackStatus": string(entry.ackStatus),
            "rejectionReason": string(entry.rejectionReason),
            "executedAt": timestamp(entry.executedAt),
            "createdAt": timestamp(entry.createdAt),
        ])
    }
}
