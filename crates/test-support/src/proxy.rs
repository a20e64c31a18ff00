//! A TCP proxy whose connections a test can cut, to take a server (RabbitMQ, Redis,
//! PostgreSQL) away from the code under test and give it back, while the server itself keeps
//! running for everything else.
//!
//! Dependency-light on purpose: the bus suite includes this file directly (it cannot depend
//! on this crate, which depends on the bus).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

pub struct Proxy {
    /// `upstream_url` with its `host:port` replaced by the proxy's.
    pub url: String,
    online: Arc<AtomicBool>,
    cut: Arc<Mutex<CancellationToken>>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to the `host:port` of `upstream_url`
    /// (`scheme://[user@]host:port[/rest]`).
    pub async fn start(upstream_url: &str) -> Self {
        let (scheme, rest) = upstream_url.split_once("://").expect("scheme://…");
        let (user, rest) = match rest.rsplit_once('@') {
            Some((user, rest)) => (format!("{user}@"), rest),
            None => (String::new(), rest),
        };
        let (upstream, path) = match rest.split_once('/') {
            Some((host, path)) => (host.to_string(), format!("/{path}")),
            None => (rest.to_string(), String::new()),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("{scheme}://{user}{}{path}", listener.local_addr().unwrap());
        let online = Arc::new(AtomicBool::new(true));
        let cut = Arc::new(Mutex::new(CancellationToken::new()));
        let (on, cuts) = (online.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !on.load(Ordering::SeqCst) {
                    continue;
                }
                let token = cuts.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        () = token.cancelled() => {}
                    }
                });
            }
        });
        Self { url, online, cut }
    }

    /// Drops every proxied connection and refuses new ones (the server "is down").
    pub fn cut(&self) {
        self.online.store(false, Ordering::SeqCst);
        let mut token = self.cut.lock().unwrap_or_else(PoisonError::into_inner);
        token.cancel();
        *token = CancellationToken::new();
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.online.store(true, Ordering::SeqCst);
    }
}
