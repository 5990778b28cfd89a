import OutboundHTTP

/// A PrepaidPlus merchant account: where its electricity methods are, the Basic credentials
/// (API key and password; stored sealed, see `VendProviderAccountStore`), and the ids every
/// request carries.
public struct PrepaidPlusAccount: Sendable, CustomStringConvertible, CustomReflectable {
    /// The electricity base URL, e.g. `https://tps.prepaidplus.co.bw/apimanager/rest/basic/v1/electricity`,
    /// already checked by the URL guard.
    public var baseURL: ValidatedURL
    public var apiKey: String
    public var password: String
    public var outletID: String
    public var operatorID: String
    public var terminalID: String

    public init(baseURL: ValidatedURL, apiKey: String, password: String, outletID: String, operatorID: String, terminalID: String) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.password = password
        self.outletID = outletID
        self.operatorID = operatorID
        self.terminalID = terminalID
    }

    /// Never the credentials: descriptions end up in logs.
    public var description: String { "PrepaidPlusAccount(\(baseURL), outlet: \(outletID))" }
    public var customMirror: Mirror { Mirror(self, children: ["baseURL": baseURL.normalized, "outletID": outletID]) }
}
