//! Engine selection and fallback: the configured engine analyses, and when it is the chat
//! server and that fails (timeout, HTTP error, junk, open circuit) the built-in engine
//! answers instead. What produced an analysis is stored with it.

use std::sync::Arc;

use quorum_telemetry::Health;

use crate::engine::{Analysis, AnalysisEngine, AnalysisInput, EngineError};
use crate::openai::OpenAiEngine;

/// An analysis and the engine that produced it (`builtin` or the chat model).
#[derive(Debug, Clone)]
pub(crate) struct Produced {
    pub(crate) analysis: Analysis,
    pub(crate) engine: String,
}

#[derive(Clone)]
pub(crate) struct Analyzer {
    chat: Option<OpenAiEngine>,
    local: Arc<dyn AnalysisEngine>,
}

impl Analyzer {
    /// `local` always; `chat` first when configured.
    pub(crate) fn new(chat: Option<OpenAiEngine>, local: Arc<dyn AnalysisEngine>) -> Self {
        Self { chat, local }
    }

    pub(crate) async fn analyze(&self, input: &AnalysisInput) -> Result<Produced, EngineError> {
        if let Some(chat) = &self.chat {
            match chat.analyze(input).await {
                Ok(analysis) => {
                    metrics::counter!("ai_analyses_total", "engine" => "openai").increment(1);
                    return Ok(Produced {
                        analysis,
                        engine: chat.name().to_string(),
                    });
                }
                Err(e) => {
                    metrics::counter!("ai_engine_fallbacks_total").increment(1);
                    tracing::warn!(error = %e, fallback = self.local.name(),
                        "chat engine failed; the built-in engine answers");
                }
            }
        }
        let analysis = self.local.analyze(input).await?;
        metrics::counter!("ai_analyses_total", "engine" => "builtin").increment(1);
        Ok(Produced {
            analysis,
            engine: self.local.name().to_string(),
        })
    }

    /// The engine's readiness (see [`crate::Ai::ready`]).
    pub(crate) async fn health(&self) -> Health {
        match &self.chat {
            Some(chat) => chat.health().await,
            None => Health::up().with_detail("engine", self.local.name().to_string()),
        }
    }
}
