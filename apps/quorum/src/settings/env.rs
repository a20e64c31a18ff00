//! Which `QUORUM_…` environment variables are settings, and what to say about those that
//! are not.
//!
//! A setting is `QUORUM_<SECTION>__<KEY>`: always at least two levels, `__` between them.
//! Variables of Quorum's own tooling (`QUORUM_CONFIG`, the test suites' `QUORUM_TEST_…`,
//! scripts and builds) are never read as settings. Any other variable without `__`
//! (`QUORUM_URL`, a user's own) cannot be a setting either: it is ignored, with a warning
//! naming it. A variable with `__` that names no setting stops the process with a message
//! naming the variable and the nearest key.

use figment::error::Kind;

/// Variables (after `QUORUM_`) that belong to the command line, the build or scripts.
const TOOLING: &[&str] = &[
    "CONFIG",        // the settings file (`--config`)
    "WHISPER",       // Docker build: `--build-arg WHISPER=…` (deploy/)
    "IMAGE",         // docker compose: the image to run (deploy/)
    "TOOLS_DIR",     // scripts/validate-deploy.sh
    "K8S_VERSIONS",  // scripts/validate-deploy.sh
    "ISTIO_MODELS",  // scripts/deploy/check_istio.mjs
    "MODELS_CACHE",  // scripts: downloaded speech-to-text models
    "AXE_JS",        // browser tests: the accessibility checker
    "SCREENSHOTS",   // browser tests: where screenshots go
    "WRITE_DOCS",    // tests that regenerate docs/errors.md
    "RUSTC_VERSION", // set at build time for `/actuator/info`
];

/// Prefixes (after `QUORUM_`) of the test suites' and benchmarks' variables.
const TOOLING_PREFIXES: &[&str] = &["TEST_", "SKIP_", "BENCH_"];

/// Whether the variable named `key` (after `QUORUM_`) belongs to the tooling.
fn is_tooling(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    TOOLING.contains(&key.as_str()) || TOOLING_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Whether `key` (after `QUORUM_`) is read as a setting.
pub(super) fn is_setting(key: &str) -> bool {
    key.contains("__") && !is_tooling(key)
}

/// `QUORUM_…` variables of the environment that are neither settings nor tooling: they
/// are ignored, and the process warns about each.
pub(crate) fn ignored_variables() -> Vec<String> {
    let mut names: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| {
            name.strip_prefix("QUORUM_")
                .is_some_and(|key| !key.is_empty() && !is_setting(key) && !is_tooling(key))
        })
        .collect();
    names.sort();
    names
}

/// The settings variables of the environment, each as the path of its key
/// (`QUORUM_SERVER__PORT` → `["server", "port"]`).
fn setting_variables() -> Vec<(String, Vec<String>)> {
    std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter_map(|name| {
            let key = name.strip_prefix("QUORUM_")?;
            let path = key
                .split("__")
                .map(|part| part.to_ascii_lowercase())
                .collect();
            is_setting(key).then_some((name.clone(), path))
        })
        .collect()
}

/// A message for a figment error that names what to fix: for an unknown key, the variable
/// (or the file's key) and the nearest key there is; otherwise figment's own message, which
/// names the key.
pub(super) fn explain(error: &figment::Error) -> String {
    let Kind::UnknownField(field, expected) = &error.kind else {
        return error.to_string();
    };
    let mut path = error.path.clone();
    if path.last() == Some(field) {
        path.pop();
    }
    let dotted = |key: &str| {
        let mut parts = path.clone();
        parts.push(key.to_string());
        parts.join(".")
    };
    let nearest = nearest(field, expected);
    let from_env = setting_variables().into_iter().find(|(_, vars)| {
        vars.len() > path.len() && vars[..path.len()] == path[..] && vars[path.len()] == *field
    });
    let hint = match (nearest, &from_env) {
        (Some(key), Some((_, vars))) => {
            let mut fixed = vars.clone();
            fixed[path.len()] = key.to_string();
            format!(
                "; did you mean `{}` ({})?",
                dotted(key),
                variable(&fixed.join("."))
            )
        }
        (Some(key), None) => format!("; did you mean `{}`?", dotted(key)),
        (None, _) if path.is_empty() => format!("; the sections are: {}", expected.join(", ")),
        (None, _) => format!(
            "; the keys of `{}` are: {}",
            path.join("."),
            expected.join(", ")
        ),
    };
    let full = dotted(field);
    match from_env {
        Some((name, _)) => format!("{name} is not a setting: there is no `{full}`{hint}"),
        None => format!("unknown setting `{full}` in the settings file{hint}"),
    }
}

/// The variable that sets `key` (`gateway.body_limit_bytes` →
/// `QUORUM_GATEWAY__BODY_LIMIT_BYTES`).
fn variable(key: &str) -> String {
    format!("QUORUM_{}", key.replace('.', "__").to_ascii_uppercase())
}

/// The key of `expected` nearest to `field` by edit distance, when it is near enough to be
/// a misspelling (at most a third of its letters, and at least 2, differ) or a shortening
/// (`body_limit` for `body_limit_bytes`).
fn nearest<'a>(field: &str, expected: &[&'a str]) -> Option<&'a str> {
    expected
        .iter()
        .map(|key| (strsim::damerau_levenshtein(field, key), *key))
        .filter(|(distance, key)| {
            *distance <= (key.len() / 3).max(2) || (field.len() >= 4 && key.starts_with(field))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tooling_and_single_level_variables_are_not_settings() {
        assert!(is_setting("SERVER__PORT"));
        assert!(is_setting("gateway__upstreams__meeting_read"));
        for key in ["CONFIG", "URL", "TEST_POSTGRES_URL", "TEST_X__Y", "WHISPER"] {
            assert!(!is_setting(key), "{key}");
        }
        assert!(is_tooling("test_redis_url") && !is_tooling("URL"));
    }

    #[test]
    fn the_nearest_key_is_offered_only_when_it_is_near() {
        let keys = ["body_limit_bytes", "timeout_ms", "upload_timeout_secs"];
        assert_eq!(nearest("body_limit_byte", &keys), Some("body_limit_bytes"));
        assert_eq!(nearest("timout_ms", &keys), Some("timeout_ms"));
        assert_eq!(nearest("body_limit", &keys), Some("body_limit_bytes"));
        assert_eq!(nearest("colour", &keys), None);
        assert_eq!(
            variable("gateway.body_limit_bytes"),
            "QUORUM_GATEWAY__BODY_LIMIT_BYTES"
        );
    }
}
