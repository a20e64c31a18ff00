//! The `quorum` binary's library: command line, settings and the one start-up path.
//!
//! - [`cli`]: `quorum serve [SERVICE…] [--role …]`, `quorum migrate`, `quorum check-config`,
//!   `quorum models`;
//! - [`settings`]: the settings tree (file + `QUORUM_…` environment);
//! - [`plan`]: what one process runs — everything (the default) or some services and/or the
//!   gateway, with a read/write role;
//! - [`startup`]: [`Application`] — builds the backends and the services of the plan, the
//!   gateway (in-process upstreams for its own services, HTTP for the others), binds the
//!   listener (port 0 works), and runs until the shutdown future resolves, draining
//!   in-flight work; what it puts together lives beside it: `services` (the six services
//!   over the shared backends, a loop over `plan::SERVICES`), `backends` (stores and
//!   broker), `front` (the gateway and the layers of every service router), `callers`
//!   (without a gateway in the process, the services' own check of their callers), `health`
//!   (the process's health indicators) and `disk` (the data directory, private to the
//!   server's user).

mod backends;
mod callers;
pub mod cli;
mod disk;
mod front;
mod health;
pub mod plan;
mod services;
pub mod settings;
pub mod startup;

pub use plan::{Plan, Role};
pub use settings::Settings;
pub use startup::Application;
