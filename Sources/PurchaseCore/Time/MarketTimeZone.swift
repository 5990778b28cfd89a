import Foundation

/// A retailer's market time zone (an IANA name such as `Europe/Madrid`) and the mapping of its
/// wall-clock readings to instants, daylight-saving transitions included.
///
/// A reading maps to one instant on most days; to none inside a spring-forward gap (Madrid's
/// 2025-03-30 02:00-02:59); to two inside a fall-back repeat (Madrid's 2025-10-26 02:00-02:59,
/// first CEST then CET).
public struct MarketTimeZone: Sendable, Equatable {
    public enum Resolution: Sendable, Equatable {
        /// Seconds since 1970-01-01T00:00:00Z.
        case unique(Int64)
        /// The reading happens twice; the earlier instant first.
        case repeated(earlier: Int64, later: Int64)
        /// Clocks jumped over the reading.
        case skipped
    }

    public let identifier: String
    private let zone: TimeZone

    /// Nil unless `identifier` names a zone of the system's tz database, spelt exactly (IANA
    /// names are case-sensitive: `europe/madrid` is refused).
    public init?(identifier: String) {
        guard !identifier.isEmpty, let zone = TimeZone(identifier: identifier),
              zone.identifier == identifier || Self.aliases.contains(identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// Names Foundation accepts but reports under another identifier (`UTC` is `GMT` to it).
    private static let aliases: Set<String> = ["UTC", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Universal", "Zulu"]

    /// The instants at which the wall clock of this zone shows `local`.
    ///
    /// Every offset in force within a day of the reading is a candidate; a candidate instant counts
    /// when the zone really has that offset at that instant. This holds for any zone whose
    /// transitions are more than two days apart, which is every zone in use today.
    public func resolve(_ local: LocalDateTime) -> Resolution {
        let asIfUTC = local.secondsAsIfUTC
        var instants: [Int64] = []
        for probe in [asIfUTC - 86_400, asIfUTC, asIfUTC + 86_400] {
            let offset = Int64(offset(at: probe))
            let instant = asIfUTC - offset
            if Int64(self.offset(at: instant)) == offset, !instants.contains(instant) { instants.append(instant) }
        }
        instants.sort()
        switch instants.count {
        case 0: return .skipped
        case 1: return .unique(instants[0])
        default: return .repeated(earlier: instants[0], later: instants[instants.count - 1])
        }
    }

    /// The wall-clock reading of `instant` (seconds since the epoch), to the minute.
    public func localDateTime(at instant: Int64) -> LocalDateTime {
        LocalDateTime(secondsAsIfUTC: instant + Int64(offset(at: instant)))
    }

    /// Seconds east of UTC at `instant`.
    public func offset(at instant: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    public static func == (lhs: MarketTimeZone, rhs: MarketTimeZone) -> Bool { lhs.identifier == rhs.identifier }
}
