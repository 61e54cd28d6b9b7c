//! The `coopol` binary: parses the command line and hands over to [`coopol::cli`].

/// mimalloc instead of the C library's allocator: the inbox allocates and frees many small
/// values per request, and glibc's malloc took about a fifth of the server's time under load
/// (docs/decisions/0006-allocator.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    coopol::cli::main()
}
