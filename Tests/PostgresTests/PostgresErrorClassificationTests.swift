import Postgres
import Testing

/// Which refusals are the data's fault (bisected, dead-lettered) and which are retried with the
/// message kept: docs/RELIABILITY.md, "Transient database errors".
struct PostgresErrorClassificationTests {
    private func server(_ state: String) -> PostgresError { PostgresError(code: .server, message: "x", sqlState: state) }

    @Test(arguments: ["53100", "53200", "25006", "57014", "55P03", "42883", "42501", "40001", "40P01", "57P01", "08006",
                      "53300", "XX000", "42601"])
    func aFailureThatIsNotAboutTheDataIsRetried(state: String) {
        #expect(server(state).isRetriable)
        #expect(!server(state).isDataError)
    }

    @Test(arguments: ["22003", "22008", "22P02", "22021", "23505", "23503", "23514", "23502"])
    func classes22And23AreDataErrors(state: String) {
        #expect(server(state).isDataError)
        #expect(!server(state).isRetriable)
    }

    @Test func theClientsOwnEncodingErrorIsADataError() {
        let error = PostgresError(code: .invalidParameter, message: "text with a NUL character")
        #expect(error.isDataError && !error.isRetriable)
    }

    @Test func lostConnectionsAndPoolTimeoutsAreRetriedAndAClosedPoolIsNot() {
        #expect(PostgresError(code: .connectionLost, message: "x").isRetriable)
        #expect(PostgresError(code: .connectionFailed, message: "x").isRetriable)
        #expect(PostgresError(code: .poolTimeout, message: "x").isRetriable)
        #expect(!PostgresError(code: .poolClosed, message: "x").isRetriable)
        #expect(!PostgresError(code: .failedMigration, message: "x").isRetriable)
    }
}
