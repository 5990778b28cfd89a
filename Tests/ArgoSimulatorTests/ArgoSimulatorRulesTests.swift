import Foundation
import JSON
import Testing
@testable import ArgoSimulator

/// The simulator's Argo rules without a socket.
struct ArgoSimulatorRulesTests {
    @Test func tokenBucketAllowsTheBurstThenAsksToRetry() {
        var bucket = TokenBucket(rate: 2, burst: 3)
        let now = Date().timeIntervalSince1970 + 1  // start full, whatever time passed since init
        #expect((0..<3).allSatisfy { _ in bucket.take(now: now).allowed })
        let refused = bucket.take(now: now)
        #expect(!refused.allowed && refused.retryAfter == 1)
        #expect(bucket.take(now: now + 0.5).allowed)  // one token refilled at 2 per second
        #expect(!bucket.take(now: now + 0.5).allowed)
        var unlimited = TokenBucket(rate: 0, burst: 1)
        #expect((0..<100).allSatisfy { _ in unlimited.take(now: now).allowed })
    }

    @Test func slowRefillGivesALongerRetryAfter() {
        var bucket = TokenBucket(rate: 0.25, burst: 1)
        let now = Date().timeIntervalSince1970 + 10
        #expect(bucket.take(now: now).allowed)
        #expect(bucket.take(now: now).retryAfter == 4)
    }

    @Test func parametersAndLabelsFollowArgosSyntax() throws {
        #expect(try ArgoSimulator.parameters(["purchaseId=abc", "x=a=b", "e="]) == ["purchaseId": "abc", "x": "a=b", "e": ""])
        #expect(throws: ArgoError.self) { try ArgoSimulator.parameters(["purchaseId"]) }
        #expect(throws: ArgoError.self) { try ArgoSimulator.parameters(["=v"]) }
        #expect(try ArgoSimulator.labels("tradingd/purchase-id=abc,org=trebol") == ["tradingd/purchase-id": "abc", "org": "trebol"])
        #expect(try ArgoSimulator.labels("") == [:])
        #expect(throws: ArgoError.self) { try ArgoSimulator.labels("novalue") }
        #expect(throws: ArgoError.self) { try ArgoSimulator.labels("k=" + String(repeating: "v", count: 64)) }
    }

    @Test func namesMustBeRFC1123() throws {
        #expect(try ArgoSimulator.checkedName("purchase-0b1c") == "purchase-0b1c")
        for bad in ["", "Purchase", "-x", "x-", "a_b", String(repeating: "a", count: 254)] {
            #expect(throws: ArgoError.self) { try ArgoSimulator.checkedName(bad) }
        }
    }

    @Test func workflowsMoveThroughTheirPhases() {
        let workflow = ArgoSimulatedWorkflow(namespace: "argo", name: "w", uid: "u", template: "t", parameters: ["purchaseId": "p"],
                                             labels: [:], createdAt: 1000, willFail: false, pendingSeconds: 1, runningSeconds: 2)
        #expect(workflow.status(at: 1000.5).phase == "Pending")
        #expect(workflow.status(at: 1001.5).phase == "Running")
        #expect(workflow.status(at: 1003).phase == "Succeeded")
        #expect(workflow.status(at: 1003).startedAt == 1001 && workflow.status(at: 1003).finishedAt == 1003)
        let failing = ArgoSimulatedWorkflow(namespace: "argo", name: "w", uid: "u", template: "t", parameters: [:], labels: [:],
                                            createdAt: 1000, willFail: true, pendingSeconds: 0, runningSeconds: 0)
        #expect(failing.status(at: 1000).phase == "Failed")
        #expect(failing.status(at: 1000).message?.isEmpty == false)
    }

    @Test func errorsRenderInGRPCGatewayShape() throws {
        let rendered = ArgoErrorRenderer().render(ArgoError(.alreadyExists, "workflows.argoproj.io \"w\" already exists").httpError,
                                                  request: nil)
        #expect(rendered.status == 409)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(rendered.body))
                == ["code": 6, "message": "workflows.argoproj.io \"w\" already exists"])
        let notFound = ArgoErrorRenderer().render(.notFound(), request: nil)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(notFound.body)) == ["code": 5, "message": "Not found"])
    }
}
