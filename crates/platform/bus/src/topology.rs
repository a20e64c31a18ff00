//! Exchanges, queues and bindings, declared in code by the services that own them.

use std::time::Duration;

/// A durable queue and its limits.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    pub name: String,
    /// `x-max-length`: a publish that would exceed it is rejected (`reject-publish`).
    pub max_length: Option<u64>,
    /// `x-message-ttl`: a message older than this is dead-lettered instead of delivered.
    pub message_ttl: Option<Duration>,
    /// `x-max-priority`: messages with higher priority are delivered first.
    pub max_priority: Option<u8>,
    /// Where rejected, expired and exhausted messages go. `None` discards them.
    pub dead_letter_queue: Option<String>,
    /// Deliveries before a message that keeps failing is dead-lettered.
    pub max_deliveries: u32,
}

impl QueueSpec {
    /// A queue with a dead-letter queue named `<name>.dlq`, 5 deliveries, no other limits.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            max_length: None,
            message_ttl: None,
            max_priority: None,
            dead_letter_queue: Some(format!("{name}.dlq")),
            max_deliveries: 5,
        }
    }
    pub fn max_length(mut self, n: u64) -> Self {
        self.max_length = Some(n);
        self
    }
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.message_ttl = Some(ttl);
        self
    }
    pub fn max_priority(mut self, p: u8) -> Self {
        self.max_priority = Some(p);
        self
    }
    pub fn max_deliveries(mut self, n: u32) -> Self {
        self.max_deliveries = n;
        self
    }
    pub fn without_dead_letter(mut self) -> Self {
        self.dead_letter_queue = None;
        self
    }
}

/// A queue bound to a topic exchange with a pattern (`*` one word, `#` zero or more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub queue: String,
    pub exchange: String,
    pub pattern: String,
}

/// A queue a service consumes and the events routed to it: declared once, next to its
/// consumer, and read both by [`Topology::subscribe`] (the exchanges, the queue and its
/// bindings) and by the workers (`spawn_workers(broker, SUBSCRIPTION.queue, …)`), so a queue
/// can neither be consumed without being bound nor bound without being consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    pub queue: &'static str,
    /// `(exchange, pattern)` pairs bound to the queue.
    pub binds: &'static [(&'static str, &'static str)],
}

impl Subscription {
    pub const fn new(queue: &'static str, binds: &'static [(&'static str, &'static str)]) -> Self {
        Self { queue, binds }
    }
}

/// Everything a broker must declare. Services contribute parts; the process merges them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Topology {
    pub exchanges: Vec<String>,
    pub queues: Vec<QueueSpec>,
    pub bindings: Vec<Binding>,
}

impl Topology {
    pub fn new() -> Self {
        Self::default()
    }
    /// A topic exchange.
    pub fn exchange(mut self, name: &str) -> Self {
        if !self.exchanges.iter().any(|e| e == name) {
            self.exchanges.push(name.to_string());
        }
        self
    }
    /// A queue; its dead-letter queue is declared with it.
    pub fn queue(mut self, spec: QueueSpec) -> Self {
        if !self.queues.iter().any(|q| q.name == spec.name) {
            self.queues.push(spec);
        }
        self
    }
    pub fn bind(mut self, queue: &str, exchange: &str, pattern: &str) -> Self {
        let b = Binding {
            queue: queue.to_string(),
            exchange: exchange.to_string(),
            pattern: pattern.to_string(),
        };
        if !self.bindings.contains(&b) {
            self.bindings.push(b);
        }
        self
    }
    /// The queues to declare: these queues, plus each one's dead-letter queue (no limits, no
    /// dead-letter queue of its own) unless it is declared explicitly.
    pub(crate) fn queues_with_dead_letter_queues(&self) -> Vec<QueueSpec> {
        let mut out: Vec<QueueSpec> = self.queues.clone();
        for q in &self.queues {
            if let Some(dlq) = &q.dead_letter_queue {
                if !out.iter().any(|s| &s.name == dlq) {
                    out.push(QueueSpec::new(dlq).without_dead_letter());
                }
            }
        }
        out
    }

    /// A [`Subscription`]: its exchanges, its queue (plain, with a dead-letter queue) and
    /// its bindings.
    pub fn subscribe(mut self, subscription: &Subscription) -> Self {
        self = self.queue(QueueSpec::new(subscription.queue));
        for (exchange, pattern) in subscription.binds {
            self = self
                .exchange(exchange)
                .bind(subscription.queue, exchange, pattern);
        }
        self
    }

    /// Adds everything `other` declares.
    pub fn merge(mut self, other: Topology) -> Self {
        for e in other.exchanges {
            self = self.exchange(&e);
        }
        for q in other.queues {
            self = self.queue(q);
        }
        for b in other.bindings {
            self = self.bind(&b.queue, &b.exchange, &b.pattern);
        }
        self
    }
}

/// AMQP topic matching: words separated by `.`, `*` matches exactly one word, `#` zero or more.
pub fn topic_matches(pattern: &str, routing_key: &str) -> bool {
    fn go(p: &[&str], k: &[&str]) -> bool {
        match (p.first(), k.first()) {
            (None, None) => true,
            (Some(&"#"), _) => go(&p[1..], k) || (!k.is_empty() && go(p, &k[1..])),
            (Some(&"*"), Some(_)) => go(&p[1..], &k[1..]),
            (Some(w), Some(x)) if w == x => go(&p[1..], &k[1..]),
            _ => false,
        }
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let k: Vec<&str> = routing_key.split('.').collect();
    go(&p, &k)
}

#[cfg(test)]
mod tests {
    use super::topic_matches;

    #[test]
    fn star_matches_exactly_one_word() {
        assert!(topic_matches("meeting.*", "meeting.ended"));
        assert!(!topic_matches("meeting.*", "meeting"));
        assert!(!topic_matches("meeting.*", "meeting.minutes.ready"));
        assert!(topic_matches("*.ended", "user.ended"));
        assert!(topic_matches("a.*.c", "a.b.c"));
        assert!(!topic_matches("a.*.c", "a.c"));
    }

    #[test]
    fn hash_matches_zero_or_more_words() {
        assert!(topic_matches("#", "anything.at.all"));
        assert!(topic_matches("#", "single"));
        assert!(topic_matches("meeting.#", "meeting"));
        assert!(topic_matches("meeting.#", "meeting.minutes.ready"));
        assert!(topic_matches("meeting.#.done", "meeting.done"));
        assert!(topic_matches("meeting.#.done", "meeting.a.b.done"));
        assert!(!topic_matches("meeting.#.done", "meeting.a.b"));
        assert!(topic_matches("#.ended", "meeting.ended"));
        assert!(!topic_matches("meeting.#", "user.meeting"));
    }

    #[test]
    fn literal_words_must_match_exactly() {
        assert!(topic_matches("meeting.ended", "meeting.ended"));
        assert!(!topic_matches("meeting.ended", "meeting.endeds"));
        assert!(!topic_matches("meeting.ended", "meeting.ended.x"));
        assert!(!topic_matches("meeting", "meeting.ended"));
    }
}
