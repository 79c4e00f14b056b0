/// Accumulates problems while agent.conf is decoded and checked, placing each at the source
/// position of its key (or of the nearest enclosing table).
final class ProblemCollector {
    private(set) var problems: [ConfigurationProblem] = []
    let locator: TOMLSourceLocator

    init(locator: TOMLSourceLocator) {
        self.locator = locator
    }

    /// Records a problem. `location` is the locator path (`partner#2.sign`), `keyPath` the
    /// displayed one (`partner[globex].sign`).
    func add(
        _ severity: ConfigurationProblem.Severity, _ code: ConfigurationProblem.Code, keyPath: String, location: String?,
        _ message: String, suggestion: String? = nil
    ) {
        let position = location.flatMap { locator.position(of: $0) }
        problems.append(
            ConfigurationProblem(
                severity: severity, code: code, keyPath: keyPath, line: position?.line, column: position?.column,
                message: message, suggestion: suggestion))
    }

    func append(_ other: [ConfigurationProblem]) { problems += other }

    var hasErrors: Bool { problems.contains { $0.severity == .error } }
}
