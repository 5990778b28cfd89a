import Crypto
import ESM
import OutboundHTTP
import Trading

extension Configuration {
    /// The settings `serve` cannot run without.
    static let serveRequired: Set<String> = ["databaseURL", "amqpURL", "amqpManagementURL", "secretKey"]

    /// The configuration `serve` runs with, validated the way `serve` uses it: besides each
    /// value's own rule, the secret key must open as a keyring, the private allow lists must parse
    /// as the outbound URL guard reads them, and the management URL must carry the credentials the
    /// partner-user calls need. `check-config` calls exactly this, so it passes only when `serve`
    /// would start.
    static func loadForServe(environment: [String: String]) throws(ConfigurationError) -> Configuration {
        let configuration = try load(environment: environment, required: serveRequired)
        var problems: [ConfigurationError.Problem] = []
        func problem(_ key: String, _ reason: String) {
            problems.append(.init(source: configuration.sources[key] ?? "default", key: key, reason: reason))
        }
        if (try? Keyring(environmentValue: configuration.secretKey)) == nil {
            problem("secretKey", "is not a usable keyring (base64 keys of 32 bytes, optionally id:key, comma-separated)")
        }
        for key in ["outboundPrivateAllow", "esmPrivateAllow"] {
            do {
                _ = try OutboundURLGuard(privateAllowList: configuration.values[key] ?? "")
            } catch {
                problem(key, "must be comma-separated host:port pairs: \(error)")
            }
        }
        do {
            _ = try RabbitManagementClient(url: configuration.amqpManagementURL ?? "")
        } catch {
            problem("amqpManagementURL", "\(error)")
        }
        if configuration.purchase.engine == nil {
            problem("purchaseEngine", "must be argo or amqp, got \"\(configuration.purchase.engineName)\"")
        } else if configuration.purchase.engine == .argo, let keyring = try? Keyring(environmentValue: configuration.secretKey),
                  let urlGuard = try? OutboundURLGuard(privateAllowList: configuration.outboundPrivateAllow) {
            do {
                _ = try configuration.purchase.argo(keyring: keyring, urlGuard: urlGuard)
            } catch let failure as PurchaseConfiguration.Problem {
                problem(failure.key, failure.reason)
            } catch {
                problem("argoURL", "\(error)")
            }
        }
        for (key, reason) in configuration.vend.problems { problem(key, reason) }
        if !configuration.vend.simulatorURL.isEmpty, let urlGuard = try? OutboundURLGuard(privateAllowList: configuration.outboundPrivateAllow) {
            do {
                _ = try urlGuard.check(url: configuration.vend.simulatorURL)
            } catch let error as OutboundURLError {
                problem("vendSimulatorURL", "is refused by the URL guard (add its host:port to TRADINGD_OUTBOUND_PRIVATE_ALLOW for a local one): \(error.reason)")
            } catch {
                problem("vendSimulatorURL", "\(error)")
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return configuration
    }
}
