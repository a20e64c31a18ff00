use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Installs the global subscriber. `filter` uses `RUST_LOG` syntax (`info,quorum=debug`);
/// `json` switches to one JSON object per line. Calling it twice is harmless.
pub fn init_tracing(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(false),
            )
            .try_init()
    } else {
        registry.with(fmt::layer().compact()).try_init()
    };
    // A second initialisation (tests) keeps the first subscriber.
    drop(result);
}
