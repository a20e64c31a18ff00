//! The `quorum` binary's library: command line, settings and the one start-up path.
//!
//! - [`cli`]: `quorum serve`, `quorum migrate`, `quorum config`;
//! - [`settings`]: the settings tree (file + `QUORUM_…` environment);
//! - [`startup`]: [`Application`] — builds every backend and service, binds the listener
//!   (port 0 works), and runs until the shutdown future resolves, draining in-flight work.

pub mod cli;
mod services;
pub mod settings;
pub mod startup;

pub use settings::Settings;
pub use startup::Application;
