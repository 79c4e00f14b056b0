/// A list of problems thrown as one error (typed throws need a single Error type).
struct ConfigurationProblemList: Error, Sendable {
    let problems: [ConfigurationProblem]
    init(_ problems: [ConfigurationProblem]) { self.problems = problems }
}
