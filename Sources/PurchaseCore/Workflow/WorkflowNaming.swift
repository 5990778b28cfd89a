import Foundation

/// The workflow name derived from a purchase id. Because it is fixed by the purchase, a submit
/// repeated after a crash or a lost answer asks for the same name and the engine refuses it with
/// AlreadyExists: one purchase can never make two workflows.
public enum WorkflowNaming {
    /// `purchase-<uuid>` in lowercase: a valid Kubernetes object name (RFC 1123, 45 characters).
    public static func name(for purchaseID: UUID) -> String {
        "purchase-" + purchaseID.uuidString.lowercased()
    }

    /// The purchase a derived name stands for, nil for any other name.
    public static func purchaseID(fromName name: String) -> UUID? {
        guard name.hasPrefix("purchase-") else { return nil }
        return UUID(uuidString: String(name.dropFirst("purchase-".count)))
    }
}
