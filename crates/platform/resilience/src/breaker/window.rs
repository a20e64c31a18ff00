//! The breaker's state machine, free of I/O and clocks (the caller passes `now`).

use std::collections::VecDeque;

use tokio::time::Instant;

use super::{BreakerConfig, CircuitState};

/// How one call went.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outcome {
    pub(super) failed: bool,
    pub(super) slow: bool,
}

enum State {
    Closed { window: VecDeque<Outcome> },
    Open { until: Instant },
    HalfOpen { started: usize, succeeded: usize },
}

/// Permission to make one call, tied to the state period it was given in: outcomes of calls
/// admitted before the last transition are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ticket(u64);

pub(super) struct Machine {
    config: BreakerConfig,
    state: State,
    generation: u64,
}

impl Machine {
    pub(super) fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            state: State::Closed {
                window: VecDeque::new(),
            },
            generation: 0,
        }
    }

    fn transition(&mut self, state: State) {
        self.state = state;
        self.generation += 1;
    }

    /// The current state, moving `Open → HalfOpen` once the wait is over.
    pub(super) fn state(&mut self, now: Instant) -> CircuitState {
        if let State::Open { until } = self.state {
            if now >= until {
                self.transition(State::HalfOpen {
                    started: 0,
                    succeeded: 0,
                });
            }
        }
        match self.state {
            State::Closed { .. } => CircuitState::Closed,
            State::Open { .. } => CircuitState::Open,
            State::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }

    /// A ticket when a call may go ahead; `None` when the circuit rejects it.
    pub(super) fn try_acquire(&mut self, now: Instant) -> Option<Ticket> {
        self.state(now);
        let ticket = Ticket(self.generation);
        match &mut self.state {
            State::Closed { .. } => Some(ticket),
            State::Open { .. } => None,
            State::HalfOpen { started, .. } if *started < self.config.half_open_calls => {
                *started += 1;
                Some(ticket)
            }
            State::HalfOpen { .. } => None,
        }
    }

    /// Gives back a ticket whose call was cancelled before it finished.
    pub(super) fn release(&mut self, ticket: Ticket) {
        if ticket.0 != self.generation {
            return;
        }
        if let State::HalfOpen { started, .. } = &mut self.state {
            *started = started.saturating_sub(1);
        }
    }

    /// Counts a finished call; returns whether the state changed.
    pub(super) fn record(&mut self, ticket: Ticket, outcome: Outcome, now: Instant) -> bool {
        if ticket.0 != self.generation {
            return false;
        }
        let generation = self.generation;
        let c = &self.config;
        let open = State::Open {
            until: now + c.open_wait,
        };
        match &mut self.state {
            State::Closed { window } => {
                window.push_back(outcome);
                while window.len() > c.window_size {
                    window.pop_front();
                }
                if window.len() >= c.minimum_calls {
                    let n = window.len() as f64;
                    let failed = window.iter().filter(|o| o.failed).count() as f64;
                    let slow = window.iter().filter(|o| o.slow).count() as f64;
                    if failed / n >= c.failure_rate_threshold
                        || slow / n >= c.slow_call_rate_threshold
                    {
                        self.transition(open);
                    }
                }
            }
            State::HalfOpen { .. } if outcome.failed || outcome.slow => self.transition(open),
            State::HalfOpen { succeeded, .. } => {
                *succeeded += 1;
                if *succeeded >= c.half_open_calls {
                    self.transition(State::Closed {
                        window: VecDeque::new(),
                    });
                }
            }
            State::Open { .. } => {}
        }
        self.generation != generation
    }
}
