// The ESM client's API speaks in the outbound client's types (`OutboundURLGuard`,
// `ValidatedURL`, `HTTPClientResponse`, ...), so whoever imports ESM gets them too.
@_exported import OutboundHTTP
