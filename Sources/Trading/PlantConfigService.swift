import Domain
import ESM
import Foundation
import JSON
import Observability
import Postgres
import TradingCore

/// A plant's time-block configuration at the ESM: read it, change it, or have it validated. The
/// blocks are checked locally first (`TimeConfigValidation`); every request that passes, and the
/// ESM's answer or failure, is recorded in `plant_config_log`, and so is every request refused
/// locally. Validate-only requests never change the plant.
public struct PlantConfigService: Sendable {
    public let pool: PostgresPool
    public let clients: OrganizationESMClients
    public let logger: Logger
    private let now: @Sendable () -> Date

    public init(pool: PostgresPool, clients: OrganizationESMClients, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.pool = pool
        self.clients = clients
        self.logger = logger
        self.now = now
    }

    /// The plant when it belongs to the organisation, else 404 `PLANT_NOT_FOUND`.
    public func plant(_ plantID: UUID, organizationID: UUID) throws -> PlantRecord {
        guard let plant = try pool.withConnection({ try PlantStore.find(plantID: plantID, organizationID: organizationID, on: $0) }) else {
            throw TradingError.plantNotFound
        }
        return plant
    }

    /// The plant's ESM id and the organisation's ESM client, or 400 `BAD_REQUEST` saying which
    /// is missing.
    func target(_ plant: PlantRecord) throws -> (esmPlantID: String, client: ESMClient) {
        guard let esmPlantID = plant.esmPlantID else {
            throw DomainError.invalid("Plant is not linked to the ESM (it has no ESM plant id; run a plant sync)")
        }
        let config = try pool.withConnection { try TradingConfigStore.ensure(organizationID: plant.organizationID, on: $0) }
        let client: ESMClient?
        do {
            client = try clients.client(for: config)
        } catch let error as ESMError {
            throw TradingError.esm(error)
        }
        guard let client else { throw DomainError.invalid("ESM integration is not configured for this organization") }
        return (esmPlantID, client)
    }

    /// The configuration as the ESM holds it.
    public func current(plantID: UUID, organizationID: UUID) throws -> ESMPlantConfig {
        let plant = try plant(plantID, organizationID: organizationID)
        let (esmPlantID, client) = try target(plant)
        do {
            return try client.plantConfig(plantID: esmPlantID)
        } catch {
            logger.warning("ESM plant config read failed", ["plant.id": plantID.uuidString.lowercased(), "esm.error": error.code])
            throw TradingError.esm(error)
        }
    }

    /// Validates locally, records the request, asks the ESM, records its answer.
    /// - Returns: the log entry (200 also when the ESM refused the blocks: `isError` says so).
    /// - Throws: 400 `BAD_REQUEST` with `details.violations` when the blocks break a rule;
    ///   502 `ESM_UNAVAILABLE` (with `details.configLogId`) when the ESM failed.
    public func update(plantID: UUID, organizationID: UUID, request: PlantConfigRequest, requestedBy: UUID?) throws -> PlantConfigLogEntry {
        let plant = try plant(plantID, organizationID: organizationID)
        let (esmPlantID, client) = try target(plant)
        let blocks: [ESMTimeConfig]
        switch request.validated {
        case .success(let valid):
            blocks = valid
        case .failure(let errors):
            let violations = errors.violations
            let message = "refused before sending: " + violations.prefix(3).map(\.description).joined(separator: "; ")
            _ = try pool.withConnection {
                try PlantConfigLogStore.insert(
                    organizationID: organizationID, plantID: plantID, requestedBy: requestedBy, validateOnly: request.validateOnly,
                    snapshot: request.rawSnapshot, sentAt: nil,
                    outcome: .init(requestCode: nil, resultCode: "LOCAL_VALIDATION_FAILED", isError: true, isTerminal: true,
                                   message: message, respondedAt: nil), on: $0)
            }
            throw DomainError.validation(violations.map { .init(field: $0.field, message: $0.message, index: $0.index) },
                                          code: "BAD_REQUEST")
        }
        let timeConfigs = blocks
        let snapshot: JSONValue = ["timeConfigs": .array(timeConfigs.map(Self.json)), "validateOnly": .bool(request.validateOnly)]
        let snapshotText = snapshot.jsonText
        let pending = try pool.withConnection {
            try PlantConfigLogStore.insert(organizationID: organizationID, plantID: plantID, requestedBy: requestedBy,
                                           validateOnly: request.validateOnly, snapshot: snapshotText, sentAt: now(), on: $0)
        }
        let outcome: PlantConfigLogStore.Outcome
        var failure: ESMError?
        do {
            let result = try client.updatePlantConfig(plantID: esmPlantID, timeConfigs: timeConfigs, validateOnly: request.validateOnly)
            outcome = .init(requestCode: result.requestCode, resultCode: result.resultCode, isError: result.isError,
                            isTerminal: result.isTerminal, message: result.message, respondedAt: now())
        } catch {
            failure = error
            outcome = .init(requestCode: nil, resultCode: error.code, isError: true, isTerminal: error.isTerminal,
                            message: error.message, respondedAt: error.status == nil ? nil : now())
        }
        let entry = try pool.withConnection { try PlantConfigLogStore.complete(id: pending.id, outcome, on: $0) }
        logger.info("plant config request", ["plant.id": plantID.uuidString.lowercased(), "log.id": String(entry.id),
                                             "validate_only": String(request.validateOnly), "result": outcome.resultCode ?? ""])
        if let failure {
            throw TradingError.esm(failure, details: ["configLogId": .number(Double(entry.id))])
        }
        return entry
    }

    /// A block as the seed writes it (`from`, `to`, `pBatMin`...).
    public static func json(_ block: ESMTimeConfig) -> JSONValue {
        ["from": .string(block.from), "to": .string(block.to), "pBatMin": .number(block.pBatMin), "pBatMax": .number(block.pBatMax),
         "socMin": .number(block.socMin), "socMax": .number(block.socMax)]
    }
}

/// A `POST …/plants/{plantId}/config` document: `{"timeConfigs": [...], "validateOnly": false}`
/// (the API layer parses the body into it).
public struct PlantConfigRequest: Sendable {
    public var validateOnly: Bool
    /// The blocks, or every violation (types included).
    public var validated: Result<[ESMTimeConfig], TimeConfigErrors>
    /// The body as received (a JSON object), for the log of a locally refused request.
    public var rawSnapshot: String

    /// - Parameters:
    ///   - rawSnapshot: the body as received, recorded for a request refused locally.
    ///   - forceValidateOnly: the `/config/validate` endpoint (a dry run whatever the body says).
    public init(document object: [String: JSONValue], rawSnapshot: String, forceValidateOnly: Bool) {
        self.rawSnapshot = rawSnapshot
        var violations: [TimeConfigViolation] = []
        for key in object.keys.sorted() where key != "timeConfigs" && key != "validateOnly" && !Self.readOnlyFields.contains(key) {
            violations.append(.init(index: nil, field: key, message: "unknown field"))
        }
        switch object["validateOnly"] {
        case nil, .null: validateOnly = forceValidateOnly
        case .bool(let flag): validateOnly = flag || forceValidateOnly
        default:
            validateOnly = true  // never apply a request whose intent is unclear
            violations.append(.init(index: nil, field: "validateOnly", message: "must be true or false"))
        }
        var blocks: [[String: TimeConfigInput]] = []
        var notObjects: Set<Int> = []
        switch object["timeConfigs"] {
        case .array(let items):
            for (index, item) in items.enumerated() {
                guard case .object(let fields) = item else {
                    violations.append(.init(index: index, field: "timeConfigs", message: "each block must be an object"))
                    notObjects.insert(index)
                    blocks.append([:])
                    continue
                }
                blocks.append(fields.mapValues(Self.input))
            }
        case nil:
            violations.append(.init(index: nil, field: "timeConfigs", message: "is required"))
        default:
            violations.append(.init(index: nil, field: "timeConfigs", message: "must be an array of blocks"))
        }
        switch TimeConfigValidation.validate(blocks) {
        case .success(let valid) where violations.isEmpty:
            validated = .success(valid)
        case .success:
            validated = .failure(TimeConfigErrors(violations: violations))
        case .failure(let errors):
            // A block that is not an object was reported once above; drop its per-field noise.
            let rest = errors.violations.filter { $0.index.map { !notObjects.contains($0) } ?? true }
            validated = .failure(TimeConfigErrors(violations: violations + rest))
        }
    }

    /// What `GET …/plants/{plantId}/config` shows besides the blocks: accepted and ignored, so
    /// that a GET body can be posted back.
    public static let readOnlyFields: Set<String> = ["configEnabled", "esiState", "plantId", "version"]

    static func input(_ value: JSONValue) -> TimeConfigInput {
        switch value {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .null: .other(typeName: "null")
        case .bool: .other(typeName: "boolean")
        case .array: .other(typeName: "array")
        case .object: .other(typeName: "object")
        }
    }
}
