import Accounts
import Foundation
import JSON
import Testing

/// Bearer tokens with Django REST framework's wording.
@Suite final class PurchaseAuthAPITests {
    let fixture: PurchasesAPIFixture
    let path = "/api/v0/user/trebolenergia/submit-purchase?retailer_id=123"

    init() throws {
        fixture = try PurchasesAPIFixture()
    }

    private func token(role: Principal.Role = .operator, scopes: [Principal.Scope] = [.purchase], user: UUID? = nil) throws -> String {
        try fixture.tokens.createToken(organizationSlug: "trebol", role: role, scopes: scopes, expiresInDays: nil, userID: user,
                                       on: fixture.connection).token
    }

    @Test(arguments: [
        (String?.none, 401, "Authentication credentials were not provided."),
        ("Basic dXNlcjpwYXNz", 401, "Authentication credentials were not provided."),
        ("Bearer", 401, "Invalid token header. No credentials provided."),
        ("Bearer a b", 401, "Invalid token header. Token string should not contain spaces."),
        ("Bearer tdt_0000000000000000000000000000000000000000000000000000000000000000", 401, "Invalid token."),
    ])
    func credentialsAreCheckedFirst(authorization: String?, status: Int, detail: String) throws {
        let answer = try fixture.call("POST", path, body: "not even JSON", authorization: .some(authorization))
        #expect(answer.status == status)
        #expect(answer.json == ["detail": .string(detail)])
        #expect(answer.header("WWW-Authenticate") == "Bearer realm=\"api\"")
    }

    @Test func rightsAreForbiddenInDRFWords() throws {
        let denied: JSONValue = ["detail": "You do not have permission to perform this action."]
        let tradingOnly = try token(scopes: [.trading])
        #expect(try fixture.call("POST", path, body: PurchasesAPIFixture.seedExample, authorization: "Bearer \(tradingOnly)").json == denied)
        let viewer = try token(role: .viewer)
        let asViewer = try fixture.call("POST", path, body: PurchasesAPIFixture.seedExample, authorization: "Bearer \(viewer)")
        #expect(asViewer.status == 403 && asViewer.json == denied)
        #expect(try fixture.call("GET", "/api/v0/user/trebolenergia/purchases", authorization: "Bearer \(viewer)").status == 200)
        let other = try PurchasesAPIFixture.makeUser("otra", organization: fixture.organization, on: fixture.connection)
        let boundElsewhere = try token(user: other)
        let refused = try fixture.call("POST", path, body: PurchasesAPIFixture.seedExample, authorization: "Bearer \(boundElsewhere)")
        #expect(refused.status == 403 && refused.json == denied)
        #expect(try fixture.call("GET", "/api/v0/user/trebolenergia/purchases", authorization: "Bearer \(boundElsewhere)").status == 403)
        let bound = try token(user: fixture.userID)
        #expect(try fixture.call("POST", path, body: PurchasesAPIFixture.seedExample, authorization: "Bearer \(bound)").status == 201)
    }

    @Test func anotherOrganisationsUserIsUnknown() throws {
        let elsewhere = try fixture.tokens.createOrganization(slug: "otra-org", name: "Otra", on: fixture.connection)
        _ = try PurchasesAPIFixture.makeUser("ajeno", organization: elsewhere, on: fixture.connection)
        let answer = try fixture.call("POST", "/api/v0/user/ajeno/submit-purchase/123", body: PurchasesAPIFixture.seedExample)
        #expect(answer.status == 400 && answer.json == ["error": "Unknown user \"ajeno\"."])
    }

    @Test func routingErrorsAreDRFs() throws {
        let notFound = try fixture.call("POST", "/api/v0/user//submit-purchase?retailer_id=123", body: PurchasesAPIFixture.seedExample)
        #expect(notFound.status == 404 && notFound.json == ["detail": "Not found."])
        let method = try fixture.call("DELETE", "/api/v0/user/trebolenergia/purchases")
        #expect(method.status == 405 && method.json == ["detail": "Method \"DELETE\" not allowed."])
    }
}
