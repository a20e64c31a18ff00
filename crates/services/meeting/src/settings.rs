//! The service's settings (the `meeting` section of the process configuration).

use std::path::PathBuf;

use serde::Deserialize;

/// Default [`Settings::recording_max_bytes`]: 512 MiB.
pub(crate) const DEFAULT_RECORDING_MAX_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// User events handled at once by the participant-directory consumer (at least 1).
    pub directory_consumers: usize,
    /// The largest recording accepted (bytes of audio; a multipart envelope may add a little).
    /// A larger upload is refused with 413, from its `Content-Length` or while it streams.
    pub recording_max_bytes: u64,
    /// Where recordings are stored (`<dir>/<meeting id>/<recording id>.<ext>`). The process
    /// resolves it into [`crate::Deps::recordings_dir`]: this value when set, else
    /// `<data dir>/recordings`. The service itself only reads `Deps`.
    pub recordings_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            directory_consumers: 2,
            recording_max_bytes: DEFAULT_RECORDING_MAX_BYTES,
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
