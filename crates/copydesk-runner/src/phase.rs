//! The phases of a run (pass 1, the corpus stages' decision, pass 2, the
//! reports' corpus-level output) with the wall-clock and CPU time each took,
//! so a user sees where a run waits and how many cores it kept busy.

use serde::Serialize;
use std::time::{Duration, Instant};

/// Wall-clock and CPU time of one phase of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseStats {
    /// What the phase does ("pass 1: load, document stages, spill", ...).
    pub phase: String,
    /// Wall-clock time, in seconds.
    #[serde(serialize_with = "secs")]
    pub wall: Duration,
    /// CPU time of the whole process (user and system, every thread) during
    /// the phase, in seconds; absent where the platform does not tell.
    #[serde(serialize_with = "optional_secs")]
    pub cpu: Option<Duration>,
}

impl PhaseStats {
    /// Cores kept busy on average: CPU time over wall-clock time.
    pub fn cores(&self) -> Option<f64> {
        let wall = self.wall.as_secs_f64();
        self.cpu
            .filter(|_| wall > 0.0)
            .map(|cpu| cpu.as_secs_f64() / wall)
    }
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

fn optional_secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

/// Times consecutive phases: each [`PhaseClock::lap`] closes the phase
/// that began at the previous lap (or at the start).
pub(crate) struct PhaseClock {
    wall: Instant,
    cpu: Option<Duration>,
    phases: Vec<PhaseStats>,
}

impl PhaseClock {
    /// Starts the first phase now.
    pub(crate) fn start() -> PhaseClock {
        PhaseClock {
            wall: Instant::now(),
            cpu: process_cpu_time(),
            phases: Vec::new(),
        }
    }

    /// Ends the current phase under `name` and starts the next one.
    pub(crate) fn lap(&mut self, name: &str) {
        let (wall, cpu) = (Instant::now(), process_cpu_time());
        self.phases.push(PhaseStats {
            phase: name.to_string(),
            wall: wall.duration_since(self.wall),
            cpu: cpu
                .zip(self.cpu)
                .map(|(now, then)| now.saturating_sub(then)),
        });
        (self.wall, self.cpu) = (wall, cpu);
    }

    /// The phases ended so far.
    pub(crate) fn phases(&self) -> &[PhaseStats] {
        &self.phases
    }
}

/// CPU time used by this process so far, user and system, every thread.
#[cfg(unix)]
fn process_cpu_time() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole `rusage` into the pointer it is given
    // and touches nothing else; the struct is zero-initialized and only read
    // when the call reports success.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return None;
        }
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

/// CPU time is not measured on this platform.
#[cfg(not(unix))]
fn process_cpu_time() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lap_closes_a_phase_with_its_wall_and_cpu_time() {
        let mut clock = PhaseClock::start();
        // Busy until this process has used 30 ms of CPU (however loaded the
        // machine is), or 20 s have passed.
        let before = process_cpu_time();
        let give_up = Instant::now() + Duration::from_secs(20);
        let mut x = 0u64;
        while let (Some(then), Some(now)) = (before, process_cpu_time()) {
            if now >= then + Duration::from_millis(30) || Instant::now() > give_up {
                break;
            }
            for _ in 0..10_000 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
        }
        std::hint::black_box(x);
        clock.lap("busy");
        std::thread::sleep(Duration::from_millis(20));
        clock.lap("asleep");
        let [busy, asleep] = clock.phases() else {
            panic!("two phases: {:?}", clock.phases());
        };
        assert_eq!(
            (busy.phase.as_str(), asleep.phase.as_str()),
            ("busy", "asleep")
        );
        assert!(asleep.wall >= Duration::from_millis(20));
        if cfg!(unix) {
            let busy_cpu = busy.cpu.expect("CPU time on unix");
            assert!(busy_cpu >= Duration::from_millis(30), "{busy_cpu:?}");
            assert!(asleep.cpu.is_some());
            assert!(busy.cores().is_some());
        }
        let json = serde_json::to_value(asleep).unwrap();
        assert!(json["wall"].as_f64().unwrap() >= 0.02);
    }
}
