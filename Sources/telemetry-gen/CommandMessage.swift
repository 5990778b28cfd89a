import Foundation

/// A partner command as DESIGN §4 describes it (`P.commands`), for trying the relay by hand.
enum CommandMessage {
    static func body(_ options: GeneratorOptions) throws -> String {
        guard let plant = options.commandPlant else { throw GeneratorOptions.UsageError(description: "command needs --plant") }
        let payload: String
        switch options.commandType {
        case "SITE_SETPOINT":
            guard let power = options.activePowerKw else {
                throw GeneratorOptions.UsageError(description: "SITE_SETPOINT needs --active-power-kw")
            }
            payload = "{\"activePowerKw\":\(power)}"
        case "MODE_CHANGE":
            guard let mode = options.commandMode else { throw GeneratorOptions.UsageError(description: "MODE_CHANGE needs --mode") }
            payload = "{\"mode\":\"\(mode)\"}"
        default:
            payload = "{}"
        }
        let escapedPlant = plant.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let messageID = UUID().uuidString.lowercased(), correlationID = UUID().uuidString.lowercased()
        return "{\"messageId\":\"\(messageID)\",\"correlationId\":\"\(correlationID)\",\"plantId\":\"\(escapedPlant)\","
            + "\"commandType\":\"\(options.commandType)\",\"payload\":\(payload)}"
    }
}
