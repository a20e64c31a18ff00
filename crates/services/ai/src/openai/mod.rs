//! An OpenAI-compatible chat client that produces an [`Analysis`]: `POST
//! {base_url}/chat/completions` with `response_format: json_object`, a system prompt with the
//! schema (`prompt.rs`) and the answer checked against the meeting (`parse.rs`).
//!
//! Every call runs inside a [`CircuitBreaker`] with a [`timeout`] inside it, so timeouts,
//! HTTP errors and junk count as failures and a failing server is left alone for a while
//! (calls fail at once with [`ChatError::CircuitOpen`]). What to do on failure is the
//! caller's decision (`crate::analyzer` falls back to the built-in engine).

mod parse;
mod prompt;

use std::time::Duration;

use quorum_resilience::{timeout, BreakerConfig, BreakerError, CircuitBreaker, CircuitState};
use quorum_telemetry::Health;
use serde_json::json;

use crate::engine::{Analysis, AnalysisInput};
use crate::settings::OpenAiSettings;

/// Why a chat call produced no analysis.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ChatError {
    #[error("the chat server did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the chat server answered HTTP {0}")]
    Status(u16),
    #[error("the chat server is unreachable: {0}")]
    Transport(String),
    #[error("the chat server's answer is unusable: {0}")]
    Junk(String),
    #[error("the chat circuit is open; not calling the server")]
    CircuitOpen,
}

/// The breaker: judged over the last 10 calls once 5 were made; half of them failing (or
/// all of them slow) opens it for 30 s, then one trial call decides.
fn breaker_config(call_timeout: Duration) -> BreakerConfig {
    BreakerConfig {
        window_size: 10,
        minimum_calls: 5,
        failure_rate_threshold: 0.5,
        slow_call_rate_threshold: 1.0,
        slow_call_duration: call_timeout,
        open_wait: Duration::from_secs(30),
        half_open_calls: 1,
    }
}

#[derive(Clone)]
pub(crate) struct OpenAiEngine {
    http: reqwest::Client,
    settings: OpenAiSettings,
    breaker: CircuitBreaker,
}

impl OpenAiEngine {
    pub(crate) fn new(settings: OpenAiSettings) -> Result<Self, String> {
        let call_timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let http = reqwest::Client::builder()
            .connect_timeout(call_timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| format!("ai.openai: cannot build the HTTP client: {e}"))?;
        if reqwest::Url::parse(&settings.base_url).is_err() {
            return Err(format!(
                "ai.openai.base_url: `{}` is not a URL",
                settings.base_url
            ));
        }
        Ok(Self {
            http,
            breaker: CircuitBreaker::new("ai-openai", breaker_config(call_timeout)),
            settings,
        })
    }

    /// The name stored with what it produced: the model.
    pub(crate) fn name(&self) -> &str {
        &self.settings.model
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.settings.base_url.trim_end_matches('/'))
    }

    fn call_timeout(&self) -> Duration {
        Duration::from_millis(self.settings.timeout_ms.max(1))
    }

    /// One analysis through the breaker and the deadline.
    pub(crate) async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, ChatError> {
        let after = self.call_timeout();
        let call = async {
            timeout(after, self.request(input))
                .await
                .map_err(|_| ChatError::Timeout(after))?
        };
        self.breaker.call(call).await.map_err(|e| match e {
            BreakerError::CircuitOpen { .. } => ChatError::CircuitOpen,
            BreakerError::Inner(e) => e,
        })
    }

    async fn request(&self, input: &AnalysisInput) -> Result<Analysis, ChatError> {
        let body = json!({
            "model": self.settings.model,
            "temperature": 0.2,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": prompt::system(input.language)},
                {"role": "user", "content": prompt::user(input)},
            ],
        });
        let mut req = self.http.post(self.url("chat/completions")).json(&body);
        if let Some(key) = &self.settings.api_key {
            req = req.bearer_auth(key.expose());
        }
        let res = req
            .send()
            .await
            .map_err(|e| ChatError::Transport(e.without_url().to_string()))?;
        let status = res.status();
        if !status.is_success() {
            return Err(ChatError::Status(status.as_u16()));
        }
        let bytes = res
            .bytes()
            .await
            .map_err(|e| ChatError::Transport(e.without_url().to_string()))?;
        let content = parse::content(&bytes).map_err(ChatError::Junk)?;
        parse::analysis(&content, input).map_err(ChatError::Junk)
    }

    pub(crate) fn circuit(&self) -> CircuitState {
        self.breaker.state()
    }

    /// Readiness: the breaker's state and a cheap `GET {base_url}/models`. The service stays
    /// ready either way (the built-in engine answers), so this reports, never gates.
    pub(crate) async fn health(&self) -> Health {
        let state = self.circuit();
        let mut req = self.http.get(self.url("models"));
        if let Some(key) = &self.settings.api_key {
            req = req.bearer_auth(key.expose());
        }
        let probe = timeout(Duration::from_secs(2), req.send()).await;
        let reachable = match probe {
            Ok(Ok(res)) if res.status().is_success() => "reachable".to_string(),
            Ok(Ok(res)) => format!("HTTP {}", res.status().as_u16()),
            Ok(Err(e)) => format!("unreachable: {}", e.without_url()),
            Err(e) => format!("unreachable: {e}"),
        };
        let degraded = state != CircuitState::Closed || reachable != "reachable";
        Health::up()
            .with_detail("engine", "openai")
            .with_detail("model", self.settings.model.clone())
            .with_detail("circuit", format!("{state:?}"))
            .with_detail("server", reachable)
            .with_detail(
                "fallback",
                if degraded {
                    "builtin (in use)"
                } else {
                    "builtin"
                },
            )
    }
}

#[cfg(test)]
mod tests;
