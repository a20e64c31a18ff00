//! The pages, one file per journey: [`auth`] (sign in, create an account, sign out,
//! language), [`dashboard`], [`meetings`] (schedule one; its page from start to
//! minutes), [`todos`] (mine, moved forward in place), [`notifications`], and [`errors`] (404 and the error pages); [`layout`] is the
//! frame every page shares.

pub(crate) mod auth;
pub(crate) mod dashboard;
pub(crate) mod errors;
pub(crate) mod layout;
pub(crate) mod meetings;
pub(crate) mod notifications;
pub(crate) mod todos;
