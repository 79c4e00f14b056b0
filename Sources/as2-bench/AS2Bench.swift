import ArgumentParser

/// `as2-bench`: the Swift side of `make bench`. Each subcommand runs one scenario and prints one
/// JSON object on stdout, so every large-payload run has a fresh process and its own peak RSS.
@main
struct AS2Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "as2-bench",
        abstract: "Benchmarks of the AS2 message core (build, unpack + signed MDN).",
        discussion: "Run through scripts/bench.sh, which prints each figure beside pyas2lib's and the crypto floor.",
        subcommands: [Keys.self, Messages.self, BuildFile.self, UnpackFile.self, Load.self, Durable.self, Drop.self]
    )
}
