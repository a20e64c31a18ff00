//! Upload routes (`gateway.upload_routes`): requests that carry a file get their own body
//! limit, timeout and retry policy instead of their route's, matched by method and path
//! pattern. [`service_body_limit`] gives a service behind the gateway the same limits.

use std::time::Duration;

use http::Method;

use crate::builder::BuildError;
use crate::settings::GatewaySettings;
use crate::upstream::CallPolicy;

/// The compiled `upload_routes` with the limit and timeout they get.
pub(crate) struct Uploads {
    patterns: Vec<(Method, Vec<Segment>)>,
    pub(crate) body_limit: usize,
    pub(crate) timeout: Duration,
    /// `upload_retry` (small bodies only: a streamed upload gets one try).
    pub(crate) policy: CallPolicy,
}

enum Segment {
    Literal(String),
    /// `{name}`: any one non-empty segment.
    Any,
}

impl Uploads {
    pub(crate) fn new(settings: &GatewaySettings) -> Result<Self, BuildError> {
        let patterns = settings
            .upload_routes
            .iter()
            .map(|r| {
                let method = Method::from_bytes(r.method.to_ascii_uppercase().as_bytes())
                    .map_err(|_| BuildError::InvalidUploadRoute(r.method.clone()))?;
                if !r.path.starts_with('/') {
                    return Err(BuildError::InvalidUploadRoute(r.path.clone()));
                }
                let segments = r.path[1..]
                    .split('/')
                    .map(|s| {
                        if s.len() > 2 && s.starts_with('{') && s.ends_with('}') {
                            Segment::Any
                        } else {
                            Segment::Literal(s.to_string())
                        }
                    })
                    .collect();
                Ok((method, segments))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            patterns,
            body_limit: settings.upload_body_limit_bytes,
            timeout: Duration::from_secs(settings.upload_timeout_secs),
            policy: settings.upload_retry.policy(),
        })
    }

    /// Whether `method` and `path` (a trailing `/` ignored) name an upload.
    pub(crate) fn matches(&self, method: &Method, path: &str) -> bool {
        let path = path.strip_prefix('/').unwrap_or(path);
        let path = path.strip_suffix('/').unwrap_or(path);
        self.patterns.iter().any(|(m, pattern)| {
            m == method && {
                let mut parts = path.split('/');
                pattern.iter().all(|seg| match (seg, parts.next()) {
                    (Segment::Literal(l), Some(p)) => l == p,
                    (Segment::Any, Some(p)) => !p.is_empty(),
                    (_, None) => false,
                }) && parts.next().is_none()
            }
        })
    }
}

/// The body limit of each request a service's own router takes, so the service holds its
/// requests to what the gateway lets through to it: the largest limit of the routes to
/// `upstream`, and `None` (the route's own limit: recordings) for upload routes.
pub fn service_body_limit(
    settings: &GatewaySettings,
    upstream: &str,
) -> Result<impl Fn(&Method, &str) -> Option<usize> + Send + Sync + 'static, BuildError> {
    let uploads = Uploads::new(settings)?;
    let limit = settings
        .routes
        .iter()
        .filter(|route| route.upstream == upstream)
        .map(|route| settings.body_limit(route))
        .max()
        .unwrap_or(settings.body_limit_bytes);
    Ok(move |method: &Method, path: &str| (!uploads.matches(method, path)).then_some(limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::UploadRoute;

    #[test]
    fn patterns_match_whole_segments_and_the_method() {
        let settings = GatewaySettings::default();
        let uploads = Uploads::new(&settings).unwrap();
        let post = Method::POST;
        assert!(uploads.matches(&post, "/api/meetings/42/recording"));
        assert!(uploads.matches(&post, "/api/meetings/42/recording/"));
        assert!(!uploads.matches(&Method::GET, "/api/meetings/42/recording"));
        assert!(!uploads.matches(&post, "/api/meetings//recording"));
        assert!(!uploads.matches(&post, "/api/meetings/42/recordings"));
        assert!(!uploads.matches(&post, "/api/meetings/42/recording/x"));
        assert!(!uploads.matches(&post, "/api/meetings/recording"));
    }

    #[test]
    fn a_service_takes_what_its_routes_take_and_uploads_keep_their_own_limit() {
        let mut settings = GatewaySettings::default();
        // The users route takes 20 MiB, the JWKS route (identity too) the default.
        settings.routes[0] = settings.routes[0].clone().body_limit(20 << 20);
        let identity = service_body_limit(&settings, "identity").unwrap();
        assert_eq!(identity(&Method::POST, "/api/users/login"), Some(20 << 20));
        let meeting = service_body_limit(&settings, "meeting").unwrap();
        let default = Some(settings.body_limit_bytes);
        assert_eq!(meeting(&Method::POST, "/api/meetings"), default);
        assert_eq!(meeting(&Method::POST, "/api/meetings/7/recording"), None);
    }

    #[test]
    fn a_bad_method_or_path_names_the_setting() {
        for route in [
            UploadRoute::new("P OST", "/x"),
            UploadRoute::new("POST", "x"),
        ] {
            let settings = GatewaySettings {
                upload_routes: vec![route],
                ..GatewaySettings::default()
            };
            let err = Uploads::new(&settings).err().unwrap();
            assert!(
                err.to_string().starts_with("gateway.upload_routes"),
                "{err}"
            );
        }
    }
}
