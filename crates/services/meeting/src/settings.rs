//! The service's settings (the `meeting` section of the process configuration).

use std::path::PathBuf;

use serde::Deserialize;

/// Default [`Settings::recording_max_bytes`]: 512 MiB.
pub(crate) const DEFAULT_RECORDING_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// Default [`Settings::recording_max_duration_secs`]: 4 hours.
pub(crate) const DEFAULT_RECORDING_MAX_DURATION_SECS: u64 = 4 * 60 * 60;
/// Default [`Settings::recording_quota_secs`]: 12 hours a day.
pub(crate) const DEFAULT_RECORDING_QUOTA_SECS: u64 = 12 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// User events handled at once by the participant-directory consumer (at least 1).
    pub directory_consumers: usize,
    /// The largest recording accepted (bytes of audio; a multipart envelope may add a little).
    /// A larger upload is refused with 413, from its `Content-Length` or while it streams.
    pub recording_max_bytes: u64,
    /// The longest recording accepted, in seconds (at least 1). A longer one is refused with
    /// 422 `recording_too_long`, as soon as its header or its decoding shows it.
    pub recording_max_duration_secs: u64,
    /// Seconds of audio one user may upload in any 24 hours, since each is transcribed
    /// (0: no quota). An upload after the meeting ended counts every track of the meeting,
    /// which it has transcribed again. Over it: 429 `recording_quota_exceeded` with
    /// `Retry-After`.
    pub recording_quota_secs: u64,
    /// Where recordings are stored (`<dir>/<meeting id>/<recording id>.<ext>`). The process
    /// resolves it into [`crate::Deps::recordings_dir`]: this value when set, else
    /// `<data dir>/recordings`. The service itself only reads `Deps`.
    pub recordings_dir: Option<PathBuf>,
}

impl Settings {
    /// Checks the ranges; the error names the key.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.recording_max_duration_secs == 0 {
            return Err("`meeting.recording_max_duration_secs` must be at least 1".into());
        }
        Ok(())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            directory_consumers: 2,
            recording_max_bytes: DEFAULT_RECORDING_MAX_BYTES,
            recording_max_duration_secs: DEFAULT_RECORDING_MAX_DURATION_SECS,
            recording_quota_secs: DEFAULT_RECORDING_QUOTA_SECS,
            recordings_dir: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.recording_max_bytes, 536_870_912);
        assert_eq!(s.recording_max_duration_secs, 14_400);
        assert_eq!(s.recording_quota_secs, 43_200);
        let s: Settings = serde_json::from_str(
            r#"{"directory_consumers": 5, "recording_max_bytes": 1024, "recordings_dir": "/srv/rec"}"#,
        )
        .unwrap();
        assert_eq!(s.directory_consumers, 5);
        assert_eq!(s.recording_max_bytes, 1024);
        assert_eq!(s.recordings_dir, Some(PathBuf::from("/srv/rec")));
        let err = serde_json::from_str::<Settings>(r#"{"consumers": 5}"#).unwrap_err();
        assert!(err.to_string().contains("consumers"), "{err}");
    }
}
