import CustomerDataStores
import Foundation
import PurchaseCore
import Purchases
import Trading
import Vend
import VendCore

/// The status page's body for one `StatusReport`: header, trading, ingest, queues, the telemetry
/// chart, recent commands and configuration requests, vend, purchase and customer event activity. Every value from the
/// database or the broker goes through `HTMLPage.escape`.
enum StatusPageHTML {
    static func render(_ report: StatusReport, csrf: String) -> String {
        let e = HTMLPage.escape
        let body = """
            <header><h1>tradingd</h1><span>organisation <b>\(e(report.organizationSlug))</b></span>
            <span class="who">\(e(report.role.rawValue)) · \(e(timestamp(report.generatedAt)))</span>
            <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(e(csrf))"><button>Sign out</button></form></header>
            <main>
            \(tradingSection(report))
            \(ingestSection(report))
            \(queuesSection(report))
            \(chartSection(report))
            \(commandsSection(report))
            \(configSection(report))
            \(vendSection(report))
            \(purchasesSection(report))
            \(customerEventsSection(report))
            </main>
            """
        return HTMLPage.document(title: "tradingd · \(report.organizationSlug)", body: body, refreshes: true)
    }

    static func tradingSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        guard let trading = report.trading else {
            return "<section id=\"trading\"><h2>Trading</h2><p class=\"muted\">Not configured yet (POST /api/v1/trading/config).</p></section>"
        }
        let status = trading.status == .enabled ? "<span class=\"badge ok\">ENABLED</span>" : "<span class=\"badge warn\">DISABLED</span>"
        let sync: String
        if let at = trading.lastSyncAt {
            sync = e(timestamp(at)) + (trading.lastSyncError == nil ? " <span class=\"ok\">ok</span>" : "")
        } else {
            sync = "<span class=\"muted\">never</span>"
        }
        let error = trading.lastSyncError.map { "<dt>Sync error</dt><dd class=\"bad\" id=\"sync-error\">\(e($0))</dd>" } ?? ""
        return """
            <section id="trading"><h2>Trading</h2><dl>
            <dt>Status</dt><dd id="trading-status">\(status)</dd>
            <dt>ESM</dt><dd>\(e(trading.esmAPIURL ?? "not set"))</dd>
            <dt>Queue prefix</dt><dd>\(e(trading.queuePrefix))</dd>
            <dt>Plants</dt><dd>\(report.plants.count) (\(report.plants.filter(\.isLinked).count) linked to the ESM)</dd>
            <dt>Last sync</dt><dd id="last-sync">\(sync)</dd>\(error)
            <dt>Config changed</dt><dd>\(e(timestamp(trading.updatedAt)))</dd>
            </dl></section>
            """
    }

    static func ingestSection(_ report: StatusReport) -> String {
        let ingest = report.ingest
        let lag = ingest.lag(now: report.generatedAt)
        let lagClass = lag.map { $0 > 300 ? "bad" : $0 > 60 ? "warn" : "ok" } ?? "muted"
        let waiting = report.queues.queues.filter { !$0.isDeadLetterQueue && $0.name.hasSuffix(".telemetry") }.map(\.messages).reduce(0, +)
        return """
            <section id="ingest"><h2>Ingest</h2><dl>
            <dt>Telemetry</dt><dd id="ingest-rate">\(rate(ingest.samplesPerSecond)) samples/s</dd>
            <dt>Meter readings</dt><dd>\(rate(ingest.readingsPerSecond)) readings/s</dd>
            <dt>Lag</dt><dd id="ingest-lag" class="\(lagClass)">\(lag.map(duration) ?? "no sample yet")</dd>
            <dt>Waiting</dt><dd>\(waiting) telemetry messages in the queue</dd>
            </dl><p class="muted">Rates over the last \(OrganizationActivityStore.IngestActivity.minutes) complete minutes of stored \
            data; lag is the age of the newest sample of any plant.</p></section>
            """
    }

    static func queuesSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        guard report.queues.error == nil else {
            return "<section id=\"queues\"><h2>Queues</h2><p class=\"bad\">The broker could not be asked: "
                + "\(e(report.queues.error ?? ""))</p></section>"
        }
        let byName = Dictionary(report.queues.queues.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = report.queues.queues.filter { !$0.isDeadLetterQueue }.map { queue -> String in
            let dlq = byName[queue.name + ".dlq"]
            let dead = dlq.map { "<td class=\"n \($0.messages > 0 ? "bad" : "")\">\($0.messages)</td>" } ?? "<td class=\"n muted\">–</td>"
            let consumers = "<td class=\"n \(queue.consumers == 0 && !queue.name.hasSuffix(".events") ? "bad" : "")\">\(queue.consumers)</td>"
            return "<tr data-queue=\"\(e(queue.name))\"><td>\(e(queue.name))</td><td class=\"n\">\(queue.messages)</td>\(consumers)\(dead)</tr>"
        }
        let table = rows.isEmpty ? "<p class=\"muted\">No queues (trading is not enabled).</p>"
            : "<table><tr><th>Queue</th><th class=\"n\">Ready</th><th class=\"n\">Consumers</th><th class=\"n\">Dead letters</th></tr>"
            + rows.joined() + "</table>"
        return "<section id=\"queues\"><h2>Queues</h2>\(table)</section>"
    }

    static func chartSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        guard let plantID = report.chart.plantID, let window = report.chartWindow else {
            return "<section id=\"telemetry\" class=\"wide\"><h2>Telemetry</h2><p class=\"muted\">No plants yet.</p></section>"
        }
        func options<T: Equatable>(_ values: [(T, String)], selected: T, name: String) -> String {
            "<select name=\"\(name)\">" + values.map { value, label in
                "<option value=\"\(e("\(value)"))\"\(value == selected ? " selected" : "")>\(e(label))</option>"
            }.joined() + "</select>"
        }
        let plants = options(report.plants.map { ($0.id, $0.name) }, selected: plantID, name: "plant")
        let ranges = options(StatusReport.ChartRequest.ranges.map { ($0.hours, $0.label) }, selected: report.chart.hours, name: "hours")
        let intervals = options(StatusReport.ChartRequest.intervals.map { ($0, "\($0) min") }, selected: report.chart.intervalMinutes,
                                name: "interval")
        let start = Double(window.firstBucketStart.microsecondsSinceEpoch) / 1e6
        let end = Double(window.endBoundary.microsecondsSinceEpoch) / 1e6
        let svg = TelemetryChart.svg(report.chartBuckets, start: start, end: end, intervalSeconds: Double(window.interval.minutes * 60))
        let legend = TelemetryChart.series.map { "<span><i class=\"\($0.cssClass)\"></i>\(e($0.label))</span>" }.joined()
        let source = "/api/v1/trading/plants/\(plantID.uuidString.lowercased())/telemetry?from=\(window.from.rfc3339)"
            + "&to=\(window.to.rfc3339)&interval=\(window.interval.minutes)"
        return """
            <section id="telemetry" class="wide"><h2>Telemetry</h2>
            <form class="chart-choice" method="get" action="/">\(plants)\(ranges)\(intervals)<button>Show</button></form>
            <div class="legend">\(legend)<span class="muted">left axis: SoC 0–100 %; right axis: power</span></div>
            \(svg)
            <p class="muted" id="chart-source" data-source="\(e(source))">\(report.chartBuckets.count) buckets from \(e(source))</p>
            </section>
            """
    }

    static func commandsSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        let rows = report.commands.map { command -> String in
            let entry = command.entry
            let statusClass = ["REJECTED", "EXPIRED", "FAILED"].contains(entry.status) ? "bad" : entry.status == "PENDING" ? "warn" : "ok"
            let ack = entry.ackStatus.map { ["FAILED", "REJECTED", "TIMEOUT"].contains($0) ? "<span class=\"bad\">\(e($0))</span>" : e($0) }
                ?? "<span class=\"muted\">–</span>"
            let created = Date(timeIntervalSince1970: Double(entry.createdAt.microsecondsSinceEpoch) / 1e6)
            return "<tr><td>\(e(timestamp(created)))</td><td>\(e(command.plantName))</td><td>\(e(entry.commandType))</td>"
                + "<td class=\"\(statusClass)\">\(e(entry.status))</td><td>\(ack)</td>"
                + "<td class=\"muted\">\(e(entry.rejectionReason ?? ""))</td></tr>"
        }
        let table = rows.isEmpty ? "<p class=\"muted\">No commands yet.</p>"
            : "<table><tr><th>Received</th><th>Plant</th><th>Type</th><th>Status</th><th>Ack</th><th>Reason</th></tr>" + rows.joined() + "</table>"
        return "<section id=\"commands\" class=\"wide\"><h2>Recent commands</h2>\(table)</section>"
    }

    static func configSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        let rows = report.configChanges.map { change -> String in
            let entry = change.entry
            let outcome: String
            if entry.respondedAt == nil && entry.sentAt != nil && entry.resultCode == nil && !entry.isError {
                outcome = "<span class=\"warn\">waiting</span>"
            } else {
                outcome = entry.isError ? "<span class=\"bad\">\(e(entry.resultCode ?? "error"))</span>" : e(entry.resultCode ?? "ok")
            }
            return "<tr><td>\(e(timestamp(entry.createdAt)))</td><td>\(e(change.plantName))</td>"
                + "<td>\(entry.validateOnly ? "validate" : "apply")</td><td>\(outcome)</td><td class=\"muted\">\(e(entry.message ?? ""))</td></tr>"
        }
        let table = rows.isEmpty ? "<p class=\"muted\">No plant configuration requests yet.</p>"
            : "<table><tr><th>When</th><th>Plant</th><th>Kind</th><th>Result</th><th>Message</th></tr>" + rows.joined() + "</table>"
        return "<section id=\"config\" class=\"wide\"><h2>Recent configuration changes</h2>\(table)</section>"
    }

    static func vendSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        let vend = report.vend
        let count = { (status: VendTransaction.Status) in vend.counts[status] ?? 0 }
        let oldest = vend.oldestUnsettledAt.map { " (oldest \(e(timestamp($0))))" } ?? ""
        let rows = vend.recent.map { transaction -> String in
            let statusClass = switch transaction.status {
            case .success: "ok"
            case .failed: "bad"
            case .pending, .unknown: "warn"
            }
            return "<tr data-trans-id=\"\(e(transaction.transID))\"><td>\(e(timestamp(transaction.createdAt)))</td>"
                + "<td>\(e(transaction.transID))</td><td>\(e(transaction.agentEmail))</td><td>\(e(transaction.meterNumber))</td>"
                + "<td class=\"n\">\(e(MoneyText.format(transaction.amount)))</td>"
                + "<td class=\"\(statusClass)\">\(e(transaction.status.rawValue.uppercased()))</td>"
                + "<td class=\"muted\">\(e(transaction.detail ?? ""))</td></tr>"
        }
        let table = rows.isEmpty ? "<p class=\"muted\">No vend transactions yet.</p>"
            : "<table><tr><th>Received</th><th>transID</th><th>Agent</th><th>Meter</th><th class=\"n\">Amount</th><th>Status</th>"
            + "<th>Detail</th></tr>" + rows.joined() + "</table>"
        return """
            <section id="vend" class="wide"><h2>Vend</h2><dl>
            <dt>Last \(VendActivityStore.Activity.hours) h</dt><dd id="vend-counts" data-success="\(count(.success))" \
            data-failed="\(count(.failed))" data-unsettled="\(count(.pending) + count(.unknown))">\(count(.success)) sold, \
            \(count(.failed)) failed, \(count(.pending) + count(.unknown)) not settled yet</dd>
            <dt>Sold</dt><dd id="vend-sold" data-amount="\(e(MoneyText.format(vend.amountSold)))">\(e(MoneyText.format(vend.amountSold)))</dd>
            <dt>Unsettled now</dt><dd id="vend-unsettled" data-count="\(vend.unsettled)" class="\(vend.unsettled > 0 ? "warn" : "ok")">\
            \(vend.unsettled)\(oldest)</dd>
            </dl>\(table)</section>
            """
    }

    static func purchasesSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        let purchases = report.purchases
        let count = { (status: PurchaseStatus) in purchases.counts[status] ?? 0 }
        let oldest = purchases.oldestWaitingAt.map { " (oldest \(e(timestamp($0))))" } ?? ""
        let rows = purchases.recent.map { purchase -> String in
            let statusClass = switch purchase.status {
            case .completed: "ok"
            case .failed: "bad"
            case .pending, .submitted, .running: "warn"
            }
            let engine = purchase.engine.map { e($0) + (purchase.workflowName.map { " " + e($0) } ?? "") } ?? "<span class=\"muted\">–</span>"
            return "<tr data-purchase=\"\(e(purchase.id.uuidString.lowercased()))\"><td>\(e(timestamp(purchase.createdAt)))</td>"
                + "<td>\(e(purchase.username))</td><td>\(e(purchase.retailerExternalID))</td><td class=\"n\">\(purchase.rowCount)</td>"
                + "<td>\(e(timestamp(purchase.firstPeriodStart)))</td><td class=\"\(statusClass)\">\(e(purchase.status.rawValue.uppercased()))</td>"
                + "<td>\(engine)</td><td class=\"muted\">\(e(purchase.error))</td></tr>"
        }
        let table = rows.isEmpty ? "<p class=\"muted\">No purchases yet.</p>"
            : "<table><tr><th>Received</th><th>User</th><th>Retailer</th><th class=\"n\">Periods</th><th>First period</th>"
            + "<th>Status</th><th>Workflow</th><th>Error</th></tr>" + rows.joined() + "</table>"
        let byStatus = PurchaseStatus.allCases.map { "\(count($0)) \($0.rawValue)" }.joined(separator: ", ")
        let attributes = PurchaseStatus.allCases.map { "data-\($0.rawValue)=\"\(count($0))\"" }.joined(separator: " ")
        return """
            <section id="purchases" class="wide"><h2>Purchases</h2><dl>
            <dt>Last \(PurchaseActivityStore.Activity.hours) h</dt><dd id="purchase-counts" \(attributes) data-periods="\(purchases.periods)">\
            \(byStatus); \(purchases.periods) market periods</dd>
            <dt>Waiting for hand-over</dt><dd id="purchase-waiting" data-count="\(purchases.waiting)" \
            class="\(purchases.waiting > 0 ? "warn" : "ok")">\(purchases.waiting)\(oldest)</dd>
            </dl>\(table)</section>
            """
    }

    static func customerEventsSection(_ report: StatusReport) -> String {
        let e = HTMLPage.escape
        let activity = report.customerEvents
        let totals = activity.totals.isEmpty ? "<span class=\"muted\">none</span>"
            : activity.totals.map { total in
                "<span data-currency=\"\(e(total.currency ?? ""))\" data-events=\"\(total.events)\" data-amount=\"\(e("\(total.amount)"))\">"
                    + "\(e("\(total.amount)")) \(e(total.currency ?? "(no currency)"))</span>"
            }.joined(separator: ", ")
        let rows = activity.recent.map { event -> String in
            "<tr data-event=\"\(e(event.referenceNumber))\"><td>\(e(timestamp(event.performedOn)))</td><td>\(e(event.referenceNumber))</td>"
                + "<td class=\"n\">\(e("\(event.totalAmount)"))</td><td>\(e(event.currency ?? ""))</td><td class=\"n\">\(event.productLines)</td>"
                + "<td class=\"muted\">\(e(timestamp(event.receivedAt)))</td></tr>"
        }
        let table = rows.isEmpty ? "<p class=\"muted\">No purchase customer events yet.</p>"
            : "<table><tr><th>Performed</th><th>Reference</th><th class=\"n\">Total</th><th>Currency</th><th class=\"n\">Products</th>"
            + "<th>Received</th></tr>" + rows.joined() + "</table>"
        return """
            <section id="customer-events" class="wide"><h2>Customer events</h2><dl>
            <dt>Last \(CustomerEventActivityStore.Activity.hours) h</dt><dd id="event-counts" data-events="\(activity.events)" \
            data-contacts="\(activity.contacts)">\(activity.events) purchase events of \(activity.contacts) contacts</dd>
            <dt>Totals</dt><dd id="event-totals">\(totals)</dd>
            <dt>Clients</dt><dd id="event-clients" data-keys="\(activity.activeAPIKeys)" data-tokens="\(activity.liveTokens)">\
            \(activity.activeAPIKeys) API keys, \(activity.liveTokens) live auth tokens</dd>
            </dl>\(table)</section>
            """
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().timeSeparator(.colon).time(includingFractionalSeconds: false)
            .dateSeparator(.dash).dateTimeSeparator(.space)) + " UTC"
    }

    static func rate(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<90: "\(Int(seconds.rounded())) s"
        case ..<5400: "\(Int((seconds / 60).rounded())) min"
        default: String(format: "%.1f h", seconds / 3600)
        }
    }
}
