//! The service's settings (the `transcript` section of the process configuration).

use serde::Deserialize;

/// Bounds of `stt_workers` (seed: 3–10 transcription consumers).
pub(crate) const STT_WORKERS_MAX: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Speech-to-text jobs run at once from `transcript.creation.queue` (1–10).
    pub stt_workers: usize,
    /// `meeting.ended` events handled at once (at least 1).
    pub meeting_consumers: usize,
    /// User events handled at once by the directory consumer (at least 1).
    pub directory_consumers: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            stt_workers: 3,
            meeting_consumers: 2,
            directory_consumers: 2,
        }
    }
}

impl Settings {
    /// Checks the ranges; the error names the key.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(1..=STT_WORKERS_MAX).contains(&self.stt_workers) {
            return Err(format!(
                "`transcript.stt_workers` must be between 1 and {STT_WORKERS_MAX} (got {})",
                self.stt_workers
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.stt_workers, 3);
        let s: Settings = serde_json::from_str(r#"{"stt_workers": 10}"#).unwrap();
        assert!(s.validate().is_ok());
        let err = serde_json::from_str::<Settings>(r#"{"workers": 5}"#).unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
    }

    #[test]
    fn worker_count_out_of_range_names_the_key() {
        let s = Settings {
            stt_workers: 11,
            ..Settings::default()
        };
        assert!(s.validate().unwrap_err().contains("transcript.stt_workers"));
    }
}
