import API
import HTTPServer
import Vend

/// The vend family (seed 001): its routes under `/api`, in its envelope, with its own
/// authentication on the purchase and history routes.
public struct VendRoutes: APIRoutes {
    let handlers: VendHandlers

    /// - Parameter trustedProxies: peers whose `X-Forwarded-For` names the client (for the login throttle).
    public init(service: VendService, trustedProxies: Set<String> = []) {
        handlers = VendHandlers(service: service, addresses: ClientAddress(trustedProxies: trustedProxies))
    }

    public func register(on router: inout Router) {
        let envelope = VendEnvelope()
        let authentication = VendAuthentication(service: handlers.service)
        let handlers = handlers
        router.group("/api/auth", renderer: envelope) { group in
            group.post("/login") { try handlers.login($0) }
        }
        router.group("/api/electricity", renderer: envelope) { group in
            group.post("/verify-customer") { try handlers.verifyCustomer($0) }
            // The seed's second name of the purchase.
            group.post("/purchase-production") { try authentication.handle($0, next: handlers.buy) }
        }
        router.group("/api/buyelectricityprod", renderer: envelope, middleware: [authentication]) { group in
            group.post("") { try handlers.buy($0) }
        }
        router.group("/api/transactions", renderer: envelope, middleware: [authentication]) { group in
            group.get("") { try handlers.transactions($0) }
            group.get("/transaction-id/{transID}") { try handlers.transaction($0) }
        }
    }
}
