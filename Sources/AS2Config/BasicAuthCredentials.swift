/// HTTP basic authentication (RFC 7617): a user name from agent.conf and the password from the
/// file its `*_password_file` key names.
public struct BasicAuthCredentials: Sendable, Equatable {
    public var user: String
    public var password: Secret

    public init(user: String, password: Secret) {
        self.user = user
        self.password = password
    }
}
