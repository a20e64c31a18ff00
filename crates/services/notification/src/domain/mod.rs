//! Pure domain types: notification kinds, preferences and locales (no I/O, unit-tested).

mod kind;
mod locale;
mod prefs;

pub(crate) use kind::Kind;
pub(crate) use locale::Locale;
pub(crate) use prefs::{Channels, KindPrefs, Preferences, PreferencesInput};
