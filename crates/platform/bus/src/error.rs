use thiserror::Error;

/// Errors raised by the messaging layer. Callers decide what they mean.
#[derive(Debug, Error)]
pub enum BusError {
    /// The queue is at its `max_length`; the publish was rejected (backpressure).
    #[error("queue `{queue}` is full ({max_length} messages); publish rejected")]
    QueueFull { queue: String, max_length: u64 },
    /// No queue is bound for this exchange/routing key.
    #[error("no queue is bound to exchange `{exchange}` for routing key `{routing_key}`")]
    Unroutable {
        exchange: String,
        routing_key: String,
    },
    #[error("unknown exchange `{0}`")]
    UnknownExchange(String),
    #[error("unknown queue `{0}`")]
    UnknownQueue(String),
    /// A declaration clashes with what already exists on the broker (RabbitMQ's
    /// `PRECONDITION_FAILED`): `entity` is e.g. "queue `jobs`", `argument` the differing
    /// argument (`x-max-length`), `detail` the broker's own words.
    #[error("{entity} already exists with a different `{argument}`: {detail}")]
    Incompatible {
        entity: String,
        argument: String,
        detail: String,
    },
    #[error("broker unavailable: {0}")]
    Unavailable(String),
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error(transparent)]
    Store(#[from] quorum_store::StoreError),
}

impl From<sqlx::Error> for BusError {
    fn from(e: sqlx::Error) -> Self {
        BusError::Store(e.into())
    }
}
