//! Reading back what a repository stored: a column that does not parse is a
//! [`Failure::Corrupt`](crate::Failure) (the code never writes one), one helper per kind.

use uuid::Uuid;

use crate::Failure;

/// A stored id.
pub fn uuid(raw: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(raw).map_err(|_| Failure::corrupt(format!("`{raw}` is not a UUID")))
}

/// A stored id that may be absent.
pub fn opt_uuid(raw: Option<String>) -> Result<Option<Uuid>, Failure> {
    raw.as_deref().map(uuid).transpose()
}

/// A stored JSON document (`what` names it in the failure).
pub fn json<T: serde::de::DeserializeOwned>(raw: &str, what: &str) -> Result<T, Failure> {
    serde_json::from_str(raw).map_err(|e| Failure::corrupt(format!("{what}: {e}")))
}

/// A value as the JSON document to store.
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(|e| Failure::corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_columns_are_corrupt_data() {
        let id = Uuid::now_v7();
        assert_eq!(uuid(&id.to_string()).unwrap(), id);
        assert_eq!(opt_uuid(None).unwrap(), None);
        let err = uuid("nope").unwrap_err();
        assert_eq!(err.code().name(), "corrupt_data");
        assert!(err.to_string().contains("`nope`"), "{err}");
        assert!(json::<Vec<u8>>("{", "sections").is_err());
        assert_eq!(to_json(&[1, 2]).unwrap(), "[1,2]");
    }
}
