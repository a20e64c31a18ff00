//! The service's settings (the `meeting` section of the process configuration).

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// User events handled at once by the participant-directory consumer (at least 1).
    pub directory_consumers: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            directory_consumers: 2,
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
        let s: Settings = serde_json::from_str(r#"{"directory_consumers": 5}"#).unwrap();
        assert_eq!(s.directory_consumers, 5);
        let err = serde_json::from_str::<Settings>(r#"{"consumers": 5}"#).unwrap_err();
        assert!(err.to_string().contains("consumers"), "{err}");
    }
}
