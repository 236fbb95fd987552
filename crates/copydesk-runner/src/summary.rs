//! What a run did: counts and times per stage, failures, outputs.

use crate::phase::PhaseStats;
use copydesk_core::StageStats;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// The result of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// Per-stage counts and times, in pipeline order.
    pub stages: Vec<StageStats>,
    /// Files given to loaders.
    pub files: u64,
    /// Files found in directories that no loader reads (skipped).
    pub skipped_files: u64,
    /// Documents loaded.
    pub documents_in: u64,
    /// Documents that reached the reports.
    pub documents_out: u64,
    /// Documents or records that failed anywhere.
    pub failed: u64,
    /// Bytes of raw text loaded.
    pub bytes: u64,
    /// Every failure, one line each.
    pub failures: Vec<String>,
    /// Files written.
    pub outputs: Vec<PathBuf>,
    /// Wall-clock time of the whole run.
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
    /// The run's phases in order, with wall-clock and CPU time.
    pub phases: Vec<PhaseStats>,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl RunSummary {
    /// A plain-text table of the run, for the terminal.
    pub fn table(&self) -> String {
        let width = self
            .stages
            .iter()
            .map(|s| s.stage.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut out = format!(
            "{:<width$}  {:>9}  {:>9}  {:>7}  {:>9}\n",
            "stage", "in", "out", "failed", "seconds"
        );
        for s in &self.stages {
            out.push_str(&format!(
                "{:<width$}  {:>9}  {:>9}  {:>7}  {:>9.3}\n",
                s.stage,
                s.docs_in,
                s.docs_out,
                s.failed,
                s.time.as_secs_f64()
            ));
            if !s.skipped.is_empty() {
                let reasons: Vec<String> =
                    s.skipped.iter().map(|(r, n)| format!("{r} {n}")).collect();
                out.push_str(&format!(
                    "{:<width$}  skipped {}: {}\n",
                    "",
                    s.skipped.values().sum::<u64>(),
                    reasons.join(", ")
                ));
            }
        }
        for p in &self.phases {
            let cpu = match (p.cpu, p.cores()) {
                (Some(cpu), Some(cores)) => {
                    format!(", {:.2} CPU-s, {cores:.2} cores", cpu.as_secs_f64())
                }
                _ => String::new(),
            };
            out.push_str(&format!(
                "{:<w$}  {:.2} s{cpu}\n",
                p.phase,
                p.wall.as_secs_f64(),
                w = width + 24
            ));
        }
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        out.push_str(&format!(
            "{} files ({} skipped), {} documents in, {} out, {} failed; {:.1} MB in {:.2} s ({:.1} MB/s, {:.0} docs/s)\n",
            self.files,
            self.skipped_files,
            self.documents_in,
            self.documents_out,
            self.failed,
            self.bytes as f64 / 1e6,
            secs,
            self.bytes as f64 / 1e6 / secs,
            self.documents_in as f64 / secs
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_a_loaders_skipped_records_by_reason() {
        let mut stage = StageStats {
            stage: "load.warc.v1".into(),
            docs_in: 1,
            docs_out: 2,
            ..StageStats::default()
        };
        stage.skipped.insert("type:request".into(), 2);
        stage.skipped.insert("type:metadata".into(), 1);
        let summary = RunSummary {
            stages: vec![stage, StageStats::default()],
            ..RunSummary::default()
        };
        let table = summary.table();
        assert!(!table.contains("pass 1"), "no phases, none shown: {table}");
        assert!(
            table.contains("skipped 3: type:metadata 1, type:request 2"),
            "{table}"
        );
        assert_eq!(table.matches("skipped 3").count(), 1, "{table}");
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["stages"][0]["skipped"]["type:request"], 2);
        assert!(json["stages"][1].get("skipped").is_none());
    }

    #[test]
    fn table_shows_each_phase_with_its_cores() {
        let summary = RunSummary {
            phases: vec![
                PhaseStats {
                    phase: "pass 1".into(),
                    wall: Duration::from_secs(2),
                    cpu: Some(Duration::from_secs(3)),
                },
                PhaseStats {
                    phase: "pass 2".into(),
                    wall: Duration::from_secs(1),
                    cpu: None,
                },
            ],
            ..RunSummary::default()
        };
        let table = summary.table();
        assert!(table.contains("3.00 CPU-s, 1.50 cores"), "{table}");
        let pass2 = table.lines().find(|l| l.starts_with("pass 2")).unwrap();
        assert!(pass2.trim_end().ends_with("1.00 s"), "{table}");
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["phases"][0]["cpu"], 3.0);
        assert!(json["phases"][1]["cpu"].is_null());
    }
}
