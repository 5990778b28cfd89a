import Crypto
import Foundation
import Observability
import OutboundHTTP
import Postgres
import PrepaidPlus
import Vend
import VendCore
import VendSimulator

/// The vend family built from configuration: the provider directory (an organisation's
/// PrepaidPlus account, else the built-in simulator, in-process or `vend-sim` over HTTP), the
/// service behind the routes, and the reconciliation job.
struct VendWiring {
    let providers: VendProviders
    let service: VendService
    let reconciler: VendReconciler
    let job: VendReconcileJob

    /// - Parameter inDaemon: false for CLI commands, whose process cannot see the books of a
    ///   simulator running inside the daemon.
    /// - Parameter http: the daemon's one outbound client (its URL guard checks the provider URLs).
    init(configuration: Configuration, pool: PostgresPool, keyring: Keyring, http: OutboundHTTPClient, metrics: MetricsRegistry?,
         logger: Logger, inDaemon: Bool = true) throws {
        let vend = configuration.vend
        let settings = vend.settings
        let log = logger.with(["family": "vend"])
        let urlGuard = http.urlGuard
        let timeouts = OutboundHTTPClient.Timeouts(connect: .seconds(5), request: vend.providerTimeout)
        let builtIn: any VendProvider
        if !vend.simulatorURL.isEmpty {
            let account = PrepaidPlusAccount(baseURL: try urlGuard.check(url: vend.simulatorURL), apiKey: VendSimulatorOptions().apiKey,
                                             password: VendSimulatorOptions().password, outletID: "tradingd", operatorID: "tradingd",
                                             terminalID: "tradingd")
            builtIn = PrepaidPlusClient(account: account, http: http, timeouts: timeouts, name: "simulator", logger: log)
        } else if inDaemon {
            var options = VendSimulatorOptions()
            for meter in vend.luhnExemptMeters {
                options.meters[meter] = SimulatedMeter(customerName: "Demo Customer", accountNumber: "ACC" + meter.prefix(7))
            }
            builtIn = VendSimulator(options: options, logger: log)
        } else {
            builtIn = DaemonOnlySimulator()
        }
        providers = VendProviders(pool: pool, accounts: VendProviderAccountStore(keyring: keyring, urlGuard: urlGuard), builtIn: builtIn,
                                  http: http, timeouts: timeouts, logger: log)
        let failPoints = vend.failAt.map { chosen in
            VendFailPoints { point in
                guard point == chosen else { return }
                log.warning("vend fail point reached: exiting as if killed (TRADINGD_VEND_FAIL_AT)", ["vend.fail_point": point.rawValue])
                _exit(86)
            }
        } ?? .none
        service = try VendService(pool: pool, providers: providers, settings: settings, logger: log, failPoints: failPoints, metrics: metrics)
        reconciler = VendReconciler(pool: pool, providers: providers, settings: settings, logger: log)
        job = VendReconcileJob(reconciler: reconciler, interval: vend.reconcileInterval, metrics: metrics, logger: log)
    }
}

/// The built-in simulator as a CLI process sees it: its books live in the daemon, so it cannot
/// say what it sold; asking leaves a transaction unknown rather than guessing.
struct DaemonOnlySimulator: VendProvider {
    let name = "simulator"

    func creditVend(_ request: CreditVendRequest) -> CreditVendOutcome {
        .refused(ProviderFault(code: "NOT_SENT", message: "No simulator here", description: "The in-process simulator runs in the daemon only."))
    }

    func advice(clientSaleID: String) -> AdviceOutcome {
        .unavailable(reason: "the in-process simulator's books are in the daemon; set TRADINGD_VEND_SIMULATOR_URL to reach a vend-sim")
    }
}
