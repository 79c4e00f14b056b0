import Foundation

/// `check-config`: everything the loader checks, plus the files agent.conf points at
/// (certificates, keys, passwords, folders) and the listen ports. Never throws: every finding is
/// a `ConfigurationProblem`.
public enum ConfigurationValidator {
    /// All problems of the configuration at `path`, in file order.
    public static func validate(path: String, now: Date = Date()) -> [ConfigurationProblem] {
        report(path: path, now: now).problems
    }

    /// The full report; `checkPorts` false skips the bind test of the listen addresses.
    /// Certificate files are read through `certificates`, which `as2-agent run` then hands to the
    /// agent so that each file is parsed once at start-up.
    public static func report(
        path: String, now: Date = Date(), checkPorts: Bool = true, certificates: CertificateFileCache = CertificateFileCache()
    ) -> ConfigurationReport {
        report(path: path, now: now, checkPorts: checkPorts, inspector: AS2CryptoInspector(certificates: certificates))
    }

    static func report<Inspector: CryptoInspector>(
        path: String, now: Date, checkPorts: Bool, inspector: Inspector
    ) -> ConfigurationReport {
        let absolute = PathResolver.absolute(path, currentDirectory: FileManager.default.currentDirectoryPath)
        let text: String
        do {
            text = try ConfigurationLoader.read(absolute)
        } catch {
            return ConfigurationReport(path: absolute, configuration: nil, problems: error.problems)
        }
        return report(text: text, path: absolute, now: now, checkPorts: checkPorts, inspector: inspector)
    }

    static func report<Inspector: CryptoInspector>(
        text: String, path: String, now: Date, checkPorts: Bool, inspector: Inspector
    ) -> ConfigurationReport {
        let decoded = ConfigurationDecoder.decode(text: text, path: path)
        guard let configuration = decoded.configuration else {
            return ConfigurationReport(path: path, configuration: nil, problems: decoded.problems)
        }
        let collector = ProblemCollector(locator: decoded.locator)
        FileChecks(inspector: inspector, now: now, collector: collector)
            .run(configuration, partnerPaths: decoded.partnerPaths, checkPorts: checkPorts)
        let problems = ConfigurationDecoder.sorted(decoded.problems + collector.problems)
        return ConfigurationReport(path: path, configuration: configuration, problems: problems)
    }
}
