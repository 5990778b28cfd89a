/// Which slice of a list a store reads (`LIMIT`/`OFFSET`). The API layer parses it from the query
/// string (`PageRequest` in `API`); stores know only this.
public struct PageWindow: Sendable, Equatable {
    public let limit: Int
    public let offset: Int

    public init(limit: Int, offset: Int) {
        self.limit = limit
        self.offset = offset
    }
}

/// One page of records and how many match in all.
public struct Page<Record: Sendable>: Sendable {
    public var records: [Record]
    public var total: Int

    public init(records: [Record], total: Int) {
        self.records = records
        self.total = total
    }
}

extension Page: Equatable where Record: Equatable {}
