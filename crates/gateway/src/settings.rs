//! Gateway configuration: one serde tree with defaults, so the binary can load it with figment
//! (`[gateway]` table, `QUORUM_GATEWAY__…` overrides) or build it in code.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::upstream::CallPolicy;

mod upstreams;

pub use upstreams::{OutlierSettings, RetrySettings, UploadRetrySettings, UpstreamUrls};

/// Default request-body limit: 10 MiB.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 10 * 1024 * 1024;
/// Default upstream timeout: 10 s.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// Default body limit of upload routes: the meeting service's default
/// `meeting.recording_max_bytes` (512 MiB) plus 64 KiB for a multipart envelope, so every
/// recording the service takes also passes the gateway.
pub const DEFAULT_UPLOAD_BODY_LIMIT_BYTES: usize = 512 * 1024 * 1024 + 64 * 1024;
/// Default timeout of upload routes: 300 s. Seed 004 gives image uploads 30 s, but there the
/// timeout covers processing a small image; here it covers receiving the whole body, and a
/// 500 MB recording over a 20 Mbit/s uplink alone takes over three minutes.
pub const DEFAULT_UPLOAD_TIMEOUT_SECS: u64 = 300;

/// Everything the gateway needs that is not a live object (upstreams, key sources and stores
/// are handed to the [`crate::GatewayBuilder`] separately).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewaySettings {
    /// Path prefix → upstream table; the longest matching prefix wins.
    pub routes: Vec<RouteSettings>,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub cors: CorsSettings,
    /// Request-body limit for routes without their own (bytes).
    pub body_limit_bytes: usize,
    /// Upstream timeout for routes without their own (milliseconds); exceeded → 504.
    pub timeout_ms: u64,
    /// Requests that upload files, by method and path (`{name}` matches one segment). They
    /// get `upload_body_limit_bytes` and `upload_timeout_secs` instead of their route's limit
    /// and timeout. Default: `POST /api/meetings/{id}/recording`.
    pub upload_routes: Vec<UploadRoute>,
    /// Request-body limit of upload routes (bytes).
    pub upload_body_limit_bytes: usize,
    /// Timeout of upload routes (seconds), from the request to the response head, so it
    /// includes receiving the body; exceeded → 504.
    pub upload_timeout_secs: u64,
    /// How many reverse proxies in front of the gateway append to `X-Forwarded-For`. 0 (the
    /// default) ignores the header and keys anonymous clients by the socket address.
    pub trusted_proxy_hops: usize,
    /// Time allowed to each component check of `/actuator/health` (milliseconds).
    pub health_timeout_ms: u64,
    /// Distributed mode: upstream name → its instances' base URLs (`http://host:port`). A
    /// route whose upstream was not handed to the builder in code goes to these over HTTP.
    /// `<name>_read` (e.g. `meeting_read`) is the read group of `<name>`: GET, HEAD and
    /// OPTIONS go there, every other method to `<name>`. Empty (the default): all-in-one.
    pub upstreams: BTreeMap<String, UpstreamUrls>,
    /// Retries and per-try timeout of HTTP upstreams on ordinary routes.
    pub retry: RetrySettings,
    /// Retries and per-try timeout of HTTP upstreams on upload routes.
    pub upload_retry: UploadRetrySettings,
    /// When an instance of an HTTP upstream is taken out of rotation.
    pub outlier: OutlierSettings,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            routes: default_routes(),
            auth: AuthSettings::default(),
            rate_limit: RateLimitSettings::default(),
            cors: CorsSettings::default(),
            body_limit_bytes: DEFAULT_BODY_LIMIT_BYTES,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            upload_routes: default_upload_routes(),
            upload_body_limit_bytes: DEFAULT_UPLOAD_BODY_LIMIT_BYTES,
            upload_timeout_secs: DEFAULT_UPLOAD_TIMEOUT_SECS,
            trusted_proxy_hops: 0,
            health_timeout_ms: 3_000,
            upstreams: BTreeMap::new(),
            retry: RetrySettings::default(),
            upload_retry: UploadRetrySettings::default(),
            outlier: OutlierSettings::default(),
        }
    }
}

impl GatewaySettings {
    pub(crate) fn timeout(&self, route: &RouteSettings) -> Duration {
        Duration::from_millis(route.timeout_ms.unwrap_or(self.timeout_ms))
    }
    pub(crate) fn body_limit(&self, route: &RouteSettings) -> usize {
        route.body_limit_bytes.unwrap_or(self.body_limit_bytes)
    }
    /// The retry policy of a route's ordinary requests: `retry`, with the route's overrides.
    pub(crate) fn call_policy(&self, route: &RouteSettings) -> CallPolicy {
        let mut policy = self.retry.policy();
        if let Some(ms) = route.per_try_timeout_ms {
            policy.per_try_timeout = Duration::from_millis(ms);
        }
        if let Some(attempts) = route.attempts {
            policy.attempts = attempts;
        }
        policy
    }
}

/// One routing rule: requests whose path is `prefix` or starts with `prefix/` go to
/// `upstream`, counted against the rate-limit group `group`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSettings {
    pub prefix: String,
    pub upstream: String,
    /// Rate-limit group (a key of [`RateLimitSettings::groups`]); defaults to the upstream name.
    #[serde(default)]
    pub group: Option<String>,
    /// Overrides [`GatewaySettings::timeout_ms`] (e.g. longer for uploads).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Overrides [`GatewaySettings::body_limit_bytes`] (e.g. larger for recordings).
    #[serde(default)]
    pub body_limit_bytes: Option<usize>,
    /// Overrides `retry.per_try_timeout_ms` for this route (HTTP upstreams only).
    #[serde(default)]
    pub per_try_timeout_ms: Option<u64>,
    /// Overrides `retry.attempts` for this route (HTTP upstreams only).
    #[serde(default)]
    pub attempts: Option<u32>,
}

impl RouteSettings {
    pub fn new(prefix: impl Into<String>, upstream: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            upstream: upstream.into(),
            group: None,
            timeout_ms: None,
            body_limit_bytes: None,
            per_try_timeout_ms: None,
            attempts: None,
        }
    }
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout_ms = Some(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX));
        self
    }
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit_bytes = Some(bytes);
        self
    }
    pub(crate) fn group_name(&self) -> &str {
        self.group.as_deref().unwrap_or(&self.upstream)
    }
}

/// The route table of seed 000 §3.1.
pub fn default_routes() -> Vec<RouteSettings> {
    vec![
        RouteSettings::new("/api/users", "identity").group("users"),
        RouteSettings::new("/api/meetings", "meeting").group("meetings"),
        RouteSettings::new("/api/transcripts", "transcript").group("transcripts"),
        RouteSettings::new("/api/ai", "ai").group("ai"),
        RouteSettings::new("/api/notifications", "notification").group("notifications"),
        RouteSettings::new("/api/todos", "todo").group("todos"),
        RouteSettings::new("/.well-known/jwks.json", "identity").group("jwks"),
    ]
}

/// A request that uploads a file: `method` and a `path` pattern whose `{name}` segments
/// match any one segment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadRoute {
    pub method: String,
    pub path: String,
}

impl UploadRoute {
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
        }
    }
}

/// Recording uploads.
pub fn default_upload_routes() -> Vec<UploadRoute> {
    vec![UploadRoute::new("POST", "/api/meetings/{id}/recording")]
}

/// Access-token verification.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// Upstream that serves the JWKS (used when no explicit `JwksSource` is given).
    pub jwks_upstream: String,
    /// Path of the JWKS on that upstream.
    pub jwks_path: String,
    /// The cached JWKS is refetched when older than this (seconds).
    pub jwks_refresh_secs: u64,
    /// A token with an unknown `kid` triggers a refetch at most this often (seconds).
    pub unknown_kid_refresh_min_secs: u64,
    /// The longest an access token may live (`exp − iat`, seconds): the identity service's
    /// `access_ttl_secs` (the `quorum` binary sets it from there). A token minted for longer,
    /// as only a leaked signing key could, is refused.
    pub max_token_lifetime_secs: u64,
    /// An event stream (`text/event-stream`) ends when the token that opened it expires or
    /// is revoked; how often, in seconds, an open stream's token is looked up again.
    pub stream_recheck_secs: u64,
    /// Routes reachable without a token (exact method and path).
    pub public_routes: Vec<PublicRoute>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            issuer: "quorum".to_string(),
            audience: "quorum-api".to_string(),
            jwks_upstream: "identity".to_string(),
            jwks_path: "/.well-known/jwks.json".to_string(),
            jwks_refresh_secs: 60,
            unknown_kid_refresh_min_secs: 5,
            max_token_lifetime_secs: 900,
            stream_recheck_secs: 5,
            public_routes: default_public_routes(),
        }
    }
}

/// A route that needs no access token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicRoute {
    pub method: String,
    pub path: String,
}

impl PublicRoute {
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
        }
    }
}

/// Register, login, refresh and the JWKS. (The gateway's own `/api/docs`,
/// `/api/openapi.json` and `/actuator/*` never ask for a token.)
pub fn default_public_routes() -> Vec<PublicRoute> {
    vec![
        PublicRoute::new("POST", "/api/users/register"),
        PublicRoute::new("POST", "/api/users/login"),
        PublicRoute::new("POST", "/api/users/refresh"),
        PublicRoute::new("GET", "/.well-known/jwks.json"),
        PublicRoute::new("HEAD", "/.well-known/jwks.json"),
    ]
}

/// Per-caller request quotas, enforced with GCRA (a quota of `n` per period allows a burst of
/// `n` and then one request every `period / n`).
///
/// A caller is the token subject on authenticated routes and the client IP on public ones;
/// each route group has its own budget, and every quota of a group must allow the request.
///
/// | group | per minute | per hour | why |
/// |---|---|---|---|
/// | `users` | 100 | 1 000 | seed 000 §3.1 (also throttles login guessing per IP) |
/// | `meetings` | 200 | 2 000 | seed 000 §3.1 |
/// | `transcripts` | 200 | 2 000 | editing sections is as chatty as meetings |
/// | `todos` | 200 | 2 000 | as meetings |
/// | `notifications` | 300 | 3 000 | polling plus SSE reconnects |
/// | `ai` | 30 | 300 | each POST starts expensive work; status polls are cheap but bounded |
/// | `jwks` | 60 | 600 | public key set; clients should cache it |
/// | anything else (`default`) | 100 | 1 000 | |
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    pub enabled: bool,
    pub groups: BTreeMap<String, GroupLimits>,
    /// For groups not listed in `groups`.
    pub default: GroupLimits,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let groups = [
            ("users", 100, 1_000),
            ("meetings", 200, 2_000),
            ("transcripts", 200, 2_000),
            ("todos", 200, 2_000),
            ("notifications", 300, 3_000),
            ("ai", 30, 300),
            ("jwks", 60, 600),
        ]
        .into_iter()
        .map(|(g, m, h)| (g.to_string(), GroupLimits::new(m, h)))
        .collect();
        Self {
            enabled: true,
            groups,
            default: GroupLimits::new(100, 1_000),
        }
    }
}

impl RateLimitSettings {
    pub(crate) fn limits_for(&self, group: &str) -> &GroupLimits {
        self.groups.get(group).unwrap_or(&self.default)
    }
}

/// The quotas of one group; 0 disables that window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupLimits {
    pub per_minute: u32,
    pub per_hour: u32,
}

impl GroupLimits {
    pub fn new(per_minute: u32, per_hour: u32) -> Self {
        Self {
            per_minute,
            per_hour,
        }
    }
}

/// Cross-origin access for the web UI.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsSettings {
    /// Exact origins (`https://app.example.com`); `*` allows any origin. Empty: no CORS headers.
    pub allowed_origins: Vec<String>,
}
