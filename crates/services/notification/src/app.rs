//! Application state shared by the routes and the consumers.

use quorum_bus::Outbox;
use quorum_store::Db;
use tokio_util::sync::CancellationToken;

use crate::hub::Hub;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Db,
    /// E-mail jobs go out through the outbox (see [`crate::mail`]).
    pub(crate) outbox: Outbox,
    pub(crate) hub: Hub,
    /// Whether SMTP is configured; without it no e-mail deliveries are written.
    pub(crate) email_enabled: bool,
    /// The web app's address, for absolute links in e-mails (no trailing `/`).
    pub(crate) public_url: String,
    /// Cancelled at shutdown: open event streams end.
    pub(crate) closing: CancellationToken,
}
