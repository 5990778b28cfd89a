import Accounts
import Foundation
import HTTPServer
import Postgres
import Testing
import TestSupport
@testable import Tradingd

/// Every route of the router the daemon builds × every kind of credential: the matrix is generated
/// from `application.router.routes`, so a new route is tried the moment it is registered, and one
/// missing from `AuthorizationPolicy` fails the test instead of going unchecked.
@Suite(.serialized) struct AuthorizationMatrixTests {
    @Test func everyRouteAnswersEveryCredentialAsThePolicySays() throws {
        let world = try SecurityWorld.make()
        defer { world.close() }
        let routes = world.application.router.routes
        let unlisted = routes.filter { AuthorizationPolicy.rule(method: $0.method, pattern: $0.pattern.description) == nil }
            .map { "\($0.method) \($0.pattern.description)" }
        #expect(unlisted.isEmpty, "routes with no entry in AuthorizationPolicy (add one): \(unlisted)")
        #expect(routes.count >= 20)

        // The owner's own credentials first; then, from a snapshot of the owner's data, another
        // organisation's admin token on every route: it must change none of it.
        let own = world.credentials.filter { $0.kind != .otherOrganization }
        let other = world.credentials.filter { $0.kind == .otherOrganization }
        var checked = 0
        checked += try world.run(routes, own)
        let before = try world.victimSnapshot()
        checked += try world.run(routes, other)
        #expect(checked == routes.count * world.credentials.count)
        #expect(try world.victimSnapshot() == before, "another organisation's requests changed the owner's data")
    }

    /// The policy can fail: a route whose rule were wrong would be reported.
    @Test func aWrongExpectationIsReported() throws {
        let world = try SecurityWorld.make()
        defer { world.close() }
        let viewer = try #require(world.credentials.first { $0.kind == .role(.viewer) })
        let answer = world.send("POST", "/api/v1/trading/config/enable", authorization: viewer.header)
        #expect(answer.status == 403)
        #expect(AuthorizationPolicy.Family.trading.envelopeProblem(answer, status: 401) != nil)
    }
}

extension SecurityWorld {
    /// Every route × `credentials`, each answer against the policy. - Returns: requests made.
    func run(_ routes: [Route], _ credentials: [Credential]) throws -> Int {
        let world = self
        var checked = 0
        for route in routes {
            guard let rule = AuthorizationPolicy.rule(method: route.method, pattern: route.pattern.description) else { continue }
            let path = world.path(for: route.pattern.description)
            let withoutCredentials = world.send(route.method, path, authorization: nil).status
            for credential in credentials {
                let answer = world.send(route.method, path, authorization: credential.header)
                let expected = rule.expectation(for: credential.kind)
                checked += 1
                let where_ = "\(route.method) \(route.pattern.description) with \(credential.kind)"
                switch expected {
                case .status(let status):
                    #expect(answer.status == status, "\(where_): \(answer.status) \(answer.text.prefix(200))")
                    if status >= 400 { #expect(rule.family.envelopeProblem(answer, status: status) == nil, "\(where_): \(answer.text.prefix(200))") }
                case .allowed:
                    // Past authentication and authorisation: whatever the handler says of an empty body,
                    // it is neither 401 nor 403, and never a server error.
                    #expect(![401, 403].contains(answer.status) && answer.status < 500, "\(where_): \(answer.status) \(answer.text.prefix(200))")
                case .sameAsWithoutCredentials:
                    #expect(answer.status == withoutCredentials && answer.status < 500, "\(where_): \(answer.status), without credentials \(withoutCredentials)")
                case .notFoundOrOwn:
                    // Another organisation's token: the other organisation's plant does not exist for it.
                    #expect(answer.status == 404 || !rule.namesAResource, "\(where_): \(answer.status) \(answer.text.prefix(200))")
                    #expect(![401, 403].contains(answer.status) && answer.status < 500, "\(where_): \(answer.status)")
                }
            }
        }
        return checked
    }
}
