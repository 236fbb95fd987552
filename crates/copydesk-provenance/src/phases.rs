//! Time spent in each phase of the stage's `finish` (candidate search,
//! alignment, source choice, evidence), for benchmarks: wall seconds, and
//! the readings of a clock the caller gives (CPU seconds of the process,
//! say) at the same moments.

use std::time::Instant;

/// One phase of `finish`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Phase {
    /// What the phase does (`"lsh"`, `"align"`, ...).
    pub name: &'static str,
    /// Wall-clock seconds it took.
    pub seconds: f64,
    /// How far the caller's clock moved meanwhile (0 without a clock).
    pub clock: f64,
}

/// Records phases one after the other.
#[derive(Debug)]
pub(crate) struct PhaseTimer {
    clock: Option<fn() -> f64>,
    wall: Instant,
    reading: f64,
    phases: Vec<Phase>,
}

impl PhaseTimer {
    /// Starts the first phase now.
    pub(crate) fn start(clock: Option<fn() -> f64>) -> PhaseTimer {
        PhaseTimer {
            clock,
            wall: Instant::now(),
            reading: clock.map_or(0.0, |c| c()),
            phases: Vec::new(),
        }
    }

    /// Ends the current phase, naming it, and starts the next. A phase
    /// ended again (a step of a loop) adds to its times.
    pub(crate) fn end(&mut self, name: &'static str) {
        let now = Instant::now();
        let reading = self.clock.map_or(0.0, |c| c());
        let (seconds, clock) = (
            now.duration_since(self.wall).as_secs_f64(),
            reading - self.reading,
        );
        match self.phases.iter_mut().find(|p| p.name == name) {
            Some(p) => {
                p.seconds += seconds;
                p.clock += clock;
            }
            None => self.phases.push(Phase {
                name,
                seconds,
                clock,
            }),
        }
        self.wall = now;
        self.reading = reading;
    }

    /// The phases ended so far, in order.
    pub(crate) fn into_phases(self) -> Vec<Phase> {
        self.phases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticks() -> f64 {
        use std::sync::atomic::{AtomicU32, Ordering};
        static TICKS: AtomicU32 = AtomicU32::new(0);
        f64::from(TICKS.fetch_add(1, Ordering::Relaxed))
    }

    #[test]
    fn phases_are_named_in_order_with_the_clock_moves() {
        let mut timer = PhaseTimer::start(Some(ticks));
        timer.end("first");
        timer.end("second");
        timer.end("first");
        let phases = timer.into_phases();
        let names: Vec<&str> = phases.iter().map(|p| p.name).collect();
        assert_eq!(names, ["first", "second"]);
        let clocks: Vec<f64> = phases.iter().map(|p| p.clock).collect();
        assert_eq!(clocks, [2.0, 1.0]);
        assert!(phases.iter().all(|p| p.seconds >= 0.0));
        let mut plain = PhaseTimer::start(None);
        plain.end("only");
        assert_eq!(plain.into_phases()[0].clock, 0.0);
    }
}
