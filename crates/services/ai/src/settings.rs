//! The service's settings (the `ai` section of the process configuration).

use chrono::FixedOffset;
use serde::Deserialize;

/// Which engine analyses transcripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The built-in engine: extractive summary, rule-based action items and dates (ko, en).
    #[default]
    Builtin,
    /// An OpenAI-compatible chat server, falling back to the built-in engine.
    Openai,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// AI jobs processed at once by this process (the seed says 2–5). `0` runs no job
    /// workers here (an API-only replica); the automatic analysis consumer always runs.
    pub workers: usize,
    pub engine: EngineKind,
    pub openai: OpenAiSettings,
    /// The UTC offset relative dates ("내일", "by Friday") are resolved in, `±HH:MM`.
    pub timezone: String,
    /// `x-max-length` of `ai.processing.queue`; a request beyond it is answered 503.
    pub queue_max_length: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            workers: 2,
            engine: EngineKind::Builtin,
            openai: OpenAiSettings::default(),
            timezone: "+09:00".into(),
            queue_max_length: 500,
        }
    }
}

impl Settings {
    /// [`Settings::timezone`] parsed; the error names the key.
    pub(crate) fn offset(&self) -> Result<FixedOffset, String> {
        self.timezone.parse::<FixedOffset>().map_err(|_| {
            format!(
                "ai.timezone: `{}` is not a UTC offset like +09:00",
                self.timezone
            )
        })
    }
}

/// An OpenAI-compatible chat completions server (`POST {base_url}/chat/completions`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiSettings {
    /// e.g. `https://api.openai.com/v1` or a local server's `http://localhost:8000/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<Secret>,
    /// Deadline of one chat call; after it the built-in engine answers.
    pub timeout_ms: u64,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".into(),
            model: "gpt-4o-mini".into(),
            api_key: None,
            timeout_ms: 20_000,
        }
    }
}

pub use quorum_service::Secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.workers, 2);
        assert_eq!(s.offset().unwrap().local_minus_utc(), 9 * 3600);
        let s: Settings =
            serde_json::from_str(r#"{"engine": "openai", "openai": {"model": "m"}}"#).unwrap();
        assert_eq!(s.engine, EngineKind::Openai);
        assert_eq!(s.openai.timeout_ms, 20_000);
        let err = serde_json::from_str::<Settings>(r#"{"worker": 5}"#).unwrap_err();
        assert!(err.to_string().contains("worker"), "{err}");
    }

    #[test]
    fn api_key_never_prints() {
        let s: OpenAiSettings = serde_json::from_str(r#"{"api_key": "sk-very-secret"}"#).unwrap();
        assert_eq!(
            s.api_key.as_ref().map(Secret::expose),
            Some("sk-very-secret")
        );
        assert!(!format!("{s:?}").contains("sk-very"));
    }

    #[test]
    fn a_bad_timezone_names_the_key() {
        let s = Settings {
            timezone: "Seoul".into(),
            ..Settings::default()
        };
        assert!(s.offset().unwrap_err().contains("ai.timezone"));
    }
}
