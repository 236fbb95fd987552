//! `report.parquet.v1` (feature `parquet`): files read back with the
//! Parquet reader hold every document and relation.
#![cfg(feature = "parquet")]

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use copydesk_core::{Document, Source};
use copydesk_report::{ParquetReport, ParquetReportConfig};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use proptest::prelude::*;

fn read(path: &std::path::Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

fn strings(batches: &[RecordBatch], column: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column_by_name(column).unwrap().as_string::<i32>().clone();
            (0..a.len())
                .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn documents_and_relations_read_back() {
    let f = common::fixture();
    let dir = tempfile::tempdir().unwrap();
    let mut report = ParquetReport::new(ParquetReportConfig {
        batch_rows: 2,
        ..ParquetReportConfig::default()
    });
    let files = common::run_report(&mut report, &f, dir.path());
    assert_eq!(
        files,
        [
            dir.path().join("documents.parquet"),
            dir.path().join("relations.parquet")
        ]
    );

    let docs = read(&files[0]);
    assert_eq!(docs.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    assert_eq!(
        strings(&docs, "id"),
        [
            Some("copy_000".into()),
            Some("source_001".into()),
            Some("other_002".into())
        ]
    );
    assert_eq!(
        strings(&docs, "text")[0].as_deref(),
        Some(f.docs[0].text.as_str())
    );
    assert_eq!(strings(&docs, "byline")[0].as_deref(), Some("Asif Shahzad"));
    assert_eq!(strings(&docs, "raw")[0], None, "raw is off by default");
    assert_eq!(strings(&docs, "story")[0].as_deref(), Some("1"));
    let score = docs[0]
        .column_by_name("spin_score")
        .unwrap()
        .as_primitive::<Float64Type>()
        .value(0);
    assert_eq!(score, 0.87);
    let ext: serde_json::Value =
        serde_json::from_str(strings(&docs, "ext_json")[0].as_deref().unwrap()).unwrap();
    assert_eq!(ext["provenance"]["role"], "copy");
    let captions = docs[0]
        .column_by_name("captions")
        .unwrap()
        .as_list::<i32>()
        .value(0);
    assert_eq!(
        captions.as_string::<i32>().value(0),
        "Pakistan-China cooperation. - Reuters/file"
    );

    let rels = read(&files[1]);
    assert_eq!(strings(&rels, "kind"), [Some("spun".into())]);
    assert_eq!(strings(&rels, "source"), [Some("source_001".into())]);
    let subs = rels[0]
        .column_by_name("substitutions")
        .unwrap()
        .as_primitive::<UInt32Type>()
        .value(0);
    assert_eq!(subs, 8);
}

#[test]
fn no_relations_no_relations_file() {
    let f = common::Fixture {
        docs: vec![Document::new("a", Source::default(), "x")],
        corpus: Default::default(),
        stats: vec![],
        failures: vec![],
    };
    let dir = tempfile::tempdir().unwrap();
    let mut report = ParquetReport::new(ParquetReportConfig {
        include_raw: true,
        ..ParquetReportConfig::default()
    });
    let files = common::run_report(&mut report, &f, dir.path());
    assert_eq!(files, [dir.path().join("documents.parquet")]);
    assert_eq!(strings(&read(&files[0]), "raw"), [Some("x".into())]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_document_reads_back(
        texts in proptest::collection::vec(("\\PC{0,10}", "\\PC{0,200}"), 0..12),
        batch_rows in 1usize..5,
    ) {
        let docs: Vec<Document> = texts.iter().map(|(id, t)| Document::new(id.clone(), Source::default(), t.clone())).collect();
        let f = common::Fixture { docs: docs.clone(), corpus: Default::default(), stats: vec![], failures: vec![] };
        let dir = tempfile::tempdir().unwrap();
        let mut report = ParquetReport::new(ParquetReportConfig { batch_rows, ..ParquetReportConfig::default() });
        let files = common::run_report(&mut report, &f, dir.path());
        let batches = read(&files[0]);
        let ids: Vec<Option<String>> = docs.iter().map(|d| Some(d.id.clone())).collect();
        let texts: Vec<Option<String>> = docs.iter().map(|d| Some(d.text.clone())).collect();
        prop_assert_eq!(strings(&batches, "id"), ids);
        prop_assert_eq!(strings(&batches, "text"), texts);
    }
}
