//! The `coopol` binary: parses the command line and hands over to [`coopol::cli`].

fn main() -> std::process::ExitCode {
    coopol::cli::main()
}
