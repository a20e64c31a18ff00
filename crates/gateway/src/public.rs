//! The routes reachable without a token (`gateway.auth.public_routes`): one set, asked by the
//! proxy and by a service process's own check of its callers ([`crate::Callers`]), so both
//! let the same requests through.

use std::collections::HashSet;

use http::Method;

use crate::builder::BuildError;
use crate::settings::PublicRoute;

/// Exact method and path pairs; a trailing `/` on a request path is ignored.
#[derive(Debug, Clone, Default)]
pub(crate) struct PublicRoutes(HashSet<(Method, String)>);

impl PublicRoutes {
    pub(crate) fn new(routes: &[PublicRoute]) -> Result<Self, BuildError> {
        routes
            .iter()
            .map(|p| {
                Method::from_bytes(p.method.to_ascii_uppercase().as_bytes())
                    .map(|m| (m, p.path.clone()))
                    .map_err(|_| BuildError::InvalidMethod(p.method.clone()))
            })
            .collect::<Result<HashSet<_>, _>>()
            .map(Self)
    }

    pub(crate) fn contains(&self, method: &Method, path: &str) -> bool {
        let path = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        self.0.contains(&(method.clone(), path.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::default_public_routes;

    #[test]
    fn method_and_path_must_both_match() {
        let public = PublicRoutes::new(&default_public_routes()).unwrap();
        assert!(public.contains(&Method::POST, "/api/users/login"));
        assert!(public.contains(&Method::POST, "/api/users/login/"));
        assert!(!public.contains(&Method::GET, "/api/users/login"));
        assert!(!public.contains(&Method::POST, "/api/users/login/x"));
        assert!(PublicRoutes::new(&[PublicRoute::new("GE T", "/x")]).is_err());
    }
}
