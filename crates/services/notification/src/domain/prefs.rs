//! Notification preferences: channels on or off, and per kind which channels to use.
//! Everything defaults to on. `webhook` is accepted and stored but nothing is delivered
//! through it yet.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Kind;

/// Master switches per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Channels {
    #[serde(default = "yes")]
    pub(crate) in_app: bool,
    #[serde(default = "yes")]
    pub(crate) email: bool,
    /// Accepted and stored; webhook delivery is not implemented yet.
    #[serde(default = "yes")]
    pub(crate) webhook: bool,
}

/// Channels for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct KindPrefs {
    #[serde(default = "yes")]
    pub(crate) email: bool,
    #[serde(default = "yes")]
    pub(crate) in_app: bool,
}

fn yes() -> bool {
    true
}

impl Default for Channels {
    fn default() -> Self {
        Self {
            in_app: true,
            email: true,
            webhook: true,
        }
    }
}

impl Default for KindPrefs {
    fn default() -> Self {
        Self {
            email: true,
            in_app: true,
        }
    }
}

/// A user's preferences, every kind listed (the GET and PUT response, and what is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Preferences {
    pub(crate) channels: Channels,
    /// Keyed by kind (`meeting.ended`, `todo.created`, …).
    pub(crate) kinds: BTreeMap<String, KindPrefs>,
}

/// The PUT body: anything left out is on.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PreferencesInput {
    #[serde(default)]
    pub(crate) channels: Option<Channels>,
    #[serde(default)]
    #[schema(schema_with = kinds_schema)]
    pub(crate) kinds: BTreeMap<String, KindPrefs>,
}

/// `kinds`: channels keyed by a known kind (`meeting.ended`, …).
fn kinds_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::Ref;
    let known = Kind::ALL.map(Kind::as_str);
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(known)),
        ))
        .additional_properties(Some(Ref::from_schema_name("KindPrefs")))
        .description(Some("Channels per kind; a kind left out is on for both."))
        .build()
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            channels: Channels::default(),
            kinds: Kind::ALL
                .into_iter()
                .map(|k| (k.as_str().to_string(), KindPrefs::default()))
                .collect(),
        }
    }
}

impl Preferences {
    /// Validates a PUT body: every kind must be known. The error names the unknown ones.
    pub(crate) fn from_input(input: PreferencesInput) -> Result<Self, String> {
        let unknown: Vec<&str> = input
            .kinds
            .keys()
            .filter(|k| Kind::parse(k).is_none())
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "unknown notification kinds: {}; known kinds are {}",
                unknown.join(", "),
                Kind::names()
            ));
        }
        let mut prefs = Preferences {
            channels: input.channels.unwrap_or_default(),
            ..Preferences::default()
        };
        prefs.kinds.extend(input.kinds);
        Ok(prefs)
    }

    /// A stored document, completed with kinds added since it was written.
    pub(crate) fn from_stored(json: &str) -> Result<Self, serde_json::Error> {
        let stored: Preferences = serde_json::from_str(json)?;
        let mut prefs = Preferences {
            channels: stored.channels,
            ..Preferences::default()
        };
        prefs.kinds.extend(
            stored
                .kinds
                .into_iter()
                .filter(|(k, _)| Kind::parse(k).is_some()),
        );
        Ok(prefs)
    }

    /// Whether `kind` goes in-app and by e-mail.
    pub(crate) fn wants(&self, kind: Kind) -> (bool, bool) {
        let k = self.kinds.get(kind.as_str()).copied().unwrap_or_default();
        (
            self.channels.in_app && k.in_app,
            self.channels.email && k.email,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> PreferencesInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn everything_is_on_by_default() {
        let p = Preferences::from_input(input("{}")).unwrap();
        assert_eq!(p, Preferences::default());
        assert_eq!(p.kinds.len(), Kind::ALL.len());
        assert_eq!(p.wants(Kind::MeetingEnded), (true, true));
    }

    #[test]
    fn channel_and_kind_switches_combine() {
        let p = Preferences::from_input(input(
            r#"{"channels": {"email": false}, "kinds": {"todo.created": {"inApp": false}}}"#,
        ))
        .unwrap();
        assert_eq!(p.wants(Kind::MeetingEnded), (true, false));
        assert_eq!(p.wants(Kind::TodoCreated), (false, false));
        assert!(p.channels.webhook);
    }

    #[test]
    fn unknown_kinds_and_fields_are_refused() {
        let err =
            Preferences::from_input(input(r#"{"kinds": {"meeting.exploded": {}}}"#)).unwrap_err();
        assert!(err.contains("meeting.exploded"), "{err}");
        assert!(
            serde_json::from_str::<PreferencesInput>(r#"{"channels": {"sms": true}}"#).is_err()
        );
        assert!(serde_json::from_str::<PreferencesInput>(
            r#"{"kinds": {"todo.created": {"email": "no"}}}"#
        )
        .is_err());
    }

    #[test]
    fn stored_documents_gain_new_kinds_and_lose_retired_ones() {
        let p = Preferences::from_stored(
            r#"{"channels": {"inApp": true, "email": false, "webhook": false},
                "kinds": {"meeting.ended": {"email": false, "inApp": true}, "old.kind": {"email": true, "inApp": true}}}"#,
        )
        .unwrap();
        assert!(!p.kinds.contains_key("old.kind"));
        assert_eq!(p.kinds.len(), Kind::ALL.len());
        assert!(!p.channels.email);
    }
}
