//! The pages, one file per journey:
//! - [`auth`]: sign in, create an account, sign out, language;
//! - [`dashboard`];
//! - [`meetings`]: schedule one; its page from start (notes, recording) to minutes;
//!   [`invited`]: who is invited already, as the change form shows them;
//! - [`minutes`]: read, correct, verify, share and revoke;
//! - [`todos`]: mine, moved forward in place;
//! - [`notifications`];
//! - [`settings`]: name, language, password, sign out everywhere;
//! - [`live`]: the live streams and the recording upload the scripts use;
//! - [`errors`]: 404 and the error pages;
//! - [`layout`]: the frame every page shares.

pub(crate) mod auth;
pub(crate) mod dashboard;
pub(crate) mod errors;
pub(crate) mod invited;
pub(crate) mod layout;
pub(crate) mod live;
pub(crate) mod meetings;
pub(crate) mod minutes;
pub(crate) mod notifications;
pub(crate) mod settings;
pub(crate) mod todos;
