/// Which certificate authorities a client trusts.
public enum TLSTrust: Sendable, Hashable {
    /// The distribution's trust store at the paths compiled into libcrypto
    /// (`X509_get_default_cert_file`/`_dir`, on Debian `/etc/ssl/certs`). Unlike
    /// `SSL_CTX_set_default_verify_paths`, this reads no environment variable
    /// (`SSL_CERT_FILE`, `SSL_CERT_DIR`), so the process environment cannot change whom tradingd trusts.
    case systemStore
    /// Only the CA certificates in this PEM file (tests, private deployments). To trust a private
    /// CA besides the public ones, concatenate it with the system bundle into one file.
    case certificateFile(String)
}
