//! The distributed mode's part of the build: an [`HttpUpstream`] (and a [`ReadWrite`] split
//! when `<name>_read` is set) for every upstream that routes use, that `gateway.upstreams`
//! lists and that was not handed to the builder in code, each with its health check.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::BuildError;
use crate::health::HealthCheck;
use crate::settings::GatewaySettings;
use crate::upstream::{HttpUpstream, ReadWrite, Upstream};

const READ_SUFFIX: &str = "_read";

/// What `gateway.upstreams` adds to the builder's upstreams and health checks.
#[derive(Default)]
pub(super) struct Remote {
    pub(super) upstreams: Vec<(String, Arc<dyn Upstream>)>,
    pub(super) checks: Vec<(String, Arc<dyn HealthCheck>)>,
}

pub(super) fn http_upstreams(
    settings: &GatewaySettings,
    explicit: &HashMap<String, Arc<dyn Upstream>>,
) -> Result<Remote, BuildError> {
    let used: BTreeSet<&str> = settings
        .routes
        .iter()
        .map(|r| r.upstream.as_str())
        .chain([settings.auth.jwks_upstream.as_str()])
        .collect();
    for name in settings.upstreams.keys() {
        if used.contains(name.as_str()) {
            continue;
        }
        match name.strip_suffix(READ_SUFFIX) {
            Some(base) if settings.upstreams.contains_key(base) => {}
            Some(_) => return Err(BuildError::ReadWithoutBase(name.clone())),
            None => return Err(BuildError::UnusedUpstream(name.clone())),
        }
    }

    let mut remote = Remote::default();
    for &name in &used {
        let Some(urls) = settings.upstreams.get(name) else {
            continue;
        };
        if explicit.contains_key(name) {
            continue;
        }
        let build = |key: &str, urls| {
            HttpUpstream::new(key, urls, settings.outlier)
                .map(Arc::new)
                .map_err(|e| BuildError::InvalidUpstreamUrl {
                    key: key.to_string(),
                    reason: e.to_string(),
                })
        };
        let write = build(name, urls)?;
        remote
            .checks
            .push((name.to_string(), Arc::clone(&write) as Arc<dyn HealthCheck>));
        let read_key = format!("{name}{READ_SUFFIX}");
        let upstream: Arc<dyn Upstream> = match settings.upstreams.get(&read_key) {
            Some(read_urls) => {
                let read = build(&read_key, read_urls)?;
                remote.checks.push((
                    format!("{name}Read"),
                    Arc::clone(&read) as Arc<dyn HealthCheck>,
                ));
                Arc::new(ReadWrite::new(read, write))
            }
            None => write,
        };
        remote.upstreams.push((name.to_string(), upstream));
    }
    Ok(remote)
}
