/// What this binary is. `Deploy/package.sh` writes the commit into its build copy of this file;
/// a development build says `development`.
public enum BuildInfo {
    public static let version = "0.15.0"
    public static let commit = "development"
}
