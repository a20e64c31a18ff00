//! The event envelope: `{id, type, source, time, subject, schemaVersion, data}`.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::BusError;

/// A CloudEvents-shaped event. `id` is the dedupe key consumers record in their inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub id: Uuid,
    /// The event type, also its routing key: `meeting.ended`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The producing service: `quorum/meeting`.
    pub source: String,
    pub time: DateTime<Utc>,
    /// The entity the event is about (a meeting id, a user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub schema_version: u32,
    pub data: serde_json::Value,
}

impl Envelope {
    /// A new event with a fresh time-ordered id.
    pub fn new<T: Serialize>(
        kind: &str,
        source: &str,
        subject: Option<String>,
        schema_version: u32,
        data: &T,
    ) -> Result<Self, BusError> {
        Ok(Self {
            id: Uuid::now_v7(),
            kind: kind.to_string(),
            source: source.to_string(),
            time: Utc::now(),
            subject,
            schema_version,
            data: serde_json::to_value(data).map_err(|e| BusError::Malformed(e.to_string()))?,
        })
    }

    /// The payload as a typed value.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, BusError> {
        serde_json::from_value(self.data.clone())
            .map_err(|e| BusError::Malformed(format!("{} payload: {e}", self.kind)))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing a struct of strings, numbers and a JSON value cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BusError> {
        serde_json::from_slice(bytes).map_err(|e| BusError::Malformed(e.to_string()))
    }
}
