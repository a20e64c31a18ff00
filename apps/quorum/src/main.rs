//! `quorum`: runs the Quorum meeting-minutes platform. See `quorum --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    quorum::cli::Cli::parse().run().await
}
