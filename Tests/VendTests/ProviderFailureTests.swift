import Testing
@testable import Vend
import VendCore

/// What a provider's fault becomes in the seed's provider-failure body (`details`).
struct ProviderFailureTests {
    @Test func detailsAreTheDescriptionThenTheMessageThenTheSeedsGenericException() {
        let described = VendService.failure(ProviderFault(code: "203", message: "Blocked customer", description: "Meter 04040404453 is blocked"))
        #expect(described == VendTransaction.Failure(code: "203", message: "Blocked customer", details: "Meter 04040404453 is blocked"))
        #expect(VendService.failure(ProviderFault(code: "203", message: "Blocked customer", description: "")).details == "Blocked customer")
        #expect(VendService.failure(ProviderFault(code: "99", message: "", description: "")).details == "Generic Exception")
    }
}
