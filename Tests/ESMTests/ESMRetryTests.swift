import ESMSimulator
import Foundation
import OutboundTestSupport
import TestSupport
import Testing
@testable import ESM

/// Retry timing and the token cache's behaviour when the token request itself fails.
@Suite(.timeLimit(.minutes(1)))
struct ESMRetryTests {
    @Test func retryDelaysGrowAreCappedAndJittered() {
        let base = Duration.milliseconds(100), maximum = Duration.seconds(1)
        for attempt in 1...8 {
            let nominal = min(1.0, 0.1 * pow(2, Double(attempt - 1)))   // independent of the implementation
            let delays = (0..<200).map { _ in ESMClient.retryDelay(attempt: attempt, base: base, maximum: maximum) }
            #expect(delays.allSatisfy { $0 >= nominal / 2 - 1e-9 && $0 <= nominal + 1e-9 }, "attempt \(attempt)")
            #expect(Set(delays).count > 100, "attempt \(attempt) is not jittered")
        }
    }

    /// One failing token request serves every waiting caller: the ESM is not hammered by each.
    @Test func concurrentCallersShareOneFailedTokenRequest() throws {
        var options = ESMSimulatorOptions()
        options.failureRate = 1
        options.latency = .milliseconds(150)
        let fixture = try ESMTestFixture(options: options) {
            $0.maxAttempts = 1
            $0.maxConcurrentCalls = 12   // every caller at once, above the default cap
        }
        let errors = Counter()
        runOnThreads(12) { _ in
            do { _ = try fixture.client.listPlants() } catch let error as ESMError where error.kind == .serverError {
                errors.increment()
            } catch {}
        }
        #expect(errors.value == 12)
        #expect(fixture.client.tokenRequestCount <= 2)   // a caller arriving after the failure may try again
        #expect(fixture.simulator.stats.requests == fixture.client.tokenRequestCount)
        fixture.simulator.failureRate = 0
        #expect(try fixture.client.listPlants().count == 3)   // and the cache recovers
    }

    @Test func serverErrorThenSuccessIsHiddenByTheRetry() throws {
        let fixture = try ESMTestFixture()
        _ = try fixture.client.listPlants()
        fixture.simulator.latency = .milliseconds(0)
        fixture.simulator.failureRate = 0.5
        var successes = 0
        for _ in 0..<20 { if (try? fixture.client.listPlants()) != nil { successes += 1 } }
        // With 3 attempts a call fails only when all three do (1/8): far fewer failures than 50%.
        #expect(successes >= 12)
        #expect(fixture.simulator.stats.injectedFailures > 0)
    }
}
