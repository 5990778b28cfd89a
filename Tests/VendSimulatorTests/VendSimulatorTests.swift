import Foundation
import Testing
import VendCore
@testable import VendSimulator

/// The simulator as a provider in-process: PrepaidPlus' sandbox meters, realistic receipts, and
/// its books (one sale per clientSaleId, advice from them).
struct VendSimulatorTests {
    let simulator = VendSimulator()

    private func sell(_ meter: String, _ amount: Int = 100, id: String = UUID().uuidString) -> CreditVendOutcome {
        simulator.creditVend(CreditVendRequest(clientSaleID: id, meterNumber: meter, amount: amount))
    }

    @Test func sandboxMetersBehaveAsPrepaidPlusDocumentsThem() {
        guard case .sold(let business) = sell("04040404040") else { Issue.record("04040404040 did not sell"); return }
        #expect(business.tariffName == "Business")
        guard case .sold(let domestic) = sell("94949494949") else { Issue.record("94949494949 did not sell"); return }
        #expect(domestic.tariffName == "Domestic")
        #expect(sell("04040404453") == .refused(ProviderFault(code: "203", message: "Vendor Error", description: "Blocked customer")))
        #expect(sell("04040406698") == .refused(ProviderFault(code: "203", message: "Vendor Error", description: "Meter not found")))
        #expect(sell("12345678901") == .refused(ProviderFault(code: "203", message: "Vendor Error", description: "Failed Luhn Check")))
        guard case .sold = sell("12345678903") else { Issue.record("a Luhn-valid meter did not sell"); return }
    }

    @Test func feesAndTotalsAreDecimalsThatAddUpToTheTenderedAmount() {
        for amount in [1, 10, 33, 50, 99, 100, 777, 5_000] {
            for meter in ["04040404040", "94949494949"] {
                guard case .sold(let sale) = sell(meter, amount) else { Issue.record("no sale"); continue }
                let tendered = Decimal(amount)
                #expect(sale.amountTendered == tendered)
                #expect(sale.costOfUnits + sale.vat + sale.governmentLevy + sale.standardCharge == tendered)
                // VAT included at 14%: an independent computation in cents, rounded half up.
                let expectedVATCents = (amount * 100 * 14 * 2 + 114) / (114 * 2)
                #expect(sale.vat == Decimal(expectedVATCents) / 100, "\(amount) \(meter)")
                let receipt = VendReceipt(sale: sale, cashier: "Sim")
                #expect(Decimal(string: receipt.totals.elec)! + Decimal(string: receipt.totals.fees)! == tendered)
            }
        }
    }

    @Test func tokensAreTwentyDigitsAndKeyChangesComeFirst() throws {
        simulator.knobs.keyChangeRate = 1
        guard case .sold(let sale) = sell("04040404040") else { Issue.record("no sale"); return }
        #expect(sale.creditToken.isStandardLength)
        #expect(sale.keyChangeTokens.count == 2 && sale.keyChangeTokens.allSatisfy(\.isStandardLength))
        #expect(sale.meter.krn == "2")
        let receipt = VendReceipt(sale: sale, cashier: "Sim")
        #expect(receipt.stdTokens.map(\.desc) == ["Key Change Token 1", "Key Change Token 2", "Credit Token"])
        #expect(receipt.stdTokens.allSatisfy { $0.code.range(of: #"^\d{4} \d{4} \d{4} \d{4} \d{4}$"#, options: .regularExpression) != nil })
        // 66 bits at most: below 2^66.
        #expect(Decimal(string: sale.creditToken.digits)! < Decimal(string: "73786976294838206464")!)
        simulator.knobs.keyChangeRate = 0
        guard case .sold(let plain) = sell("04040404040") else { Issue.record("no sale"); return }
        #expect(plain.keyChangeTokens.isEmpty && plain.meter.krn == "2")
    }

    @Test func aClientSaleIDSellsOnceAndTheAdviceReturnsThatSale() {
        guard case .sold(let sale) = sell("04040404040", id: "S-1") else { Issue.record("no sale"); return }
        guard case .refused(let duplicate) = sell("04040404040", id: "S-1") else { Issue.record("sold twice"); return }
        #expect(duplicate.code == "210")
        #expect(simulator.stats.salesMade == 1 && simulator.creditVendsBySaleID["S-1"] == 2)
        #expect(simulator.advice(clientSaleID: "S-1") == .sold(sale))
        guard case .noSale(let fault) = simulator.advice(clientSaleID: "S-2") else { Issue.record("advice invented a sale"); return }
        #expect(fault.code == "209")
    }

    @Test func injectedFaultsSayWhetherASaleWasMade() {
        simulator.knobs.failAfterSaleRate = 1
        guard case .unknown = sell("04040404040", id: "F-1") else { Issue.record("not unknown"); return }
        simulator.knobs = VendSimulatorKnobs()
        guard case .sold = simulator.advice(clientSaleID: "F-1") else { Issue.record("the sale was not made"); return }
        simulator.knobs.failureRate = 1
        guard case .unknown = sell("04040404040", id: "F-2") else { Issue.record("not unknown"); return }
        simulator.knobs = VendSimulatorKnobs()
        guard case .noSale = simulator.advice(clientSaleID: "F-2") else { Issue.record("a sale was made"); return }
        simulator.knobs.adviceFailureRate = 1
        guard case .unavailable = simulator.advice(clientSaleID: "F-1") else { Issue.record("advice answered"); return }
    }

    @Test func amountsOutsideTheProvidersLimitsAreFaults() {
        guard case .refused(let fault) = sell("04040404040", 5_001) else { Issue.record("sold"); return }
        #expect(fault.code == "206")
        guard case .refused(let zero) = sell("04040404040", 0) else { Issue.record("sold"); return }
        #expect(zero.code == "206")
    }
}
