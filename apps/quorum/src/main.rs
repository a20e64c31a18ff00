//! `quorum`: runs the Quorum meeting-minutes platform. See `quorum --help`.

use clap::Parser;

/// mimalloc: a third more requests per second than the system allocator on the web app and API
/// benchmarks (`bench/web.sh`), the allocation-heavy paths being rendering and JSON.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    quorum::cli::Cli::parse().run().await
}
