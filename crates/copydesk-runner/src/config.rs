//! Reading and checking `pipeline.toml`.
//!
//! Parsing is separate from resolving (as in ripgrep): the file is read into
//! TOML with spans, then every stage is resolved against the registry and
//! checked. All problems are collected, each with file, line and stage.

use crate::registry::{find_stage, registry, suggest};
use copydesk_core::{BuiltStage, OptionDoc, OptionError, StageFactory, StageKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toml::de::{DeTable, DeValue};

/// The `[run]` section: defaults that command-line options override.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSection {
    /// Input files, directories or globs, relative to the working directory.
    pub inputs: Vec<String>,
    /// Output directory.
    pub output: String,
    /// Stop at the first document that fails instead of reporting and going on.
    pub fail_fast: bool,
    /// Worker threads; 0 uses every core.
    pub threads: usize,
    /// Documents processed together; bounds memory.
    pub batch_size: usize,
}

impl Default for RunSection {
    fn default() -> Self {
        RunSection {
            inputs: Vec::new(),
            output: "out".into(),
            fail_fast: false,
            threads: 0,
            batch_size: 512,
        }
    }
}

/// The options of the `[run]` section, for `copydesk stages`.
pub const RUN_OPTIONS: &[OptionDoc] = &[
    OptionDoc {
        name: "inputs",
        kind: "list of strings",
        doc: "input files, directories or globs",
    },
    OptionDoc {
        name: "output",
        kind: "string",
        doc: "output directory",
    },
    OptionDoc {
        name: "fail_fast",
        kind: "boolean",
        doc: "stop at the first failing document",
    },
    OptionDoc {
        name: "threads",
        kind: "integer",
        doc: "worker threads (0 = all cores)",
    },
    OptionDoc {
        name: "batch_size",
        kind: "integer",
        doc: "documents processed together (bounds memory)",
    },
];

/// A configuration problem, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file.
    pub file: PathBuf,
    /// Line (from 1), when known.
    pub line: Option<usize>,
    /// Column (from 1), when known.
    pub column: Option<usize>,
    /// The stage concerned (`stage 3 (tag.quotes.v1)`), if any.
    pub stage: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(stage) = &self.stage {
            write!(f, "{stage}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// One stage of a checked pipeline: its factory and the user's options.
#[derive(Debug, Clone)]
pub struct PlannedStage {
    /// Position in the file, from 1.
    pub index: usize,
    /// The registered stage.
    pub factory: &'static StageFactory,
    /// The options as written (without `type`).
    pub options: toml::Table,
    /// Line of the stage's `type` key.
    pub line: Option<usize>,
    /// The stage as built when its options were checked, kept for the
    /// first run (see [`PlannedStage::take_built`]).
    prebuilt: Prebuilt,
}

impl PlannedStage {
    /// `stage 3 (tag.quotes.v1)`, for messages.
    pub fn label(&self) -> String {
        format!("stage {} ({})", self.index, self.factory.name)
    }

    /// The runtime stage: the one built when the pipeline was checked, the
    /// first time it is asked for and if the options are still the ones it
    /// was built from; otherwise built anew. Checking a pipeline builds
    /// every stage (that is how bad options and unreadable resource files
    /// are found before anything runs), and some stages are expensive to
    /// build (`tag.spin.v1` loads its tables), so a run does not build
    /// them twice.
    pub fn take_built(&self) -> Result<BuiltStage, OptionError> {
        match self.prebuilt.take_if_built_from(&self.options) {
            Some(built) => Ok(built),
            None => (self.factory.build)(&self.options),
        }
    }
}

/// A built stage and the options it was built from, shared by the clones
/// of a [`PlannedStage`] and given out once.
#[derive(Clone, Default)]
struct Prebuilt(Arc<Mutex<Option<(toml::Table, BuiltStage)>>>);

impl Prebuilt {
    fn new(options: &toml::Table, built: BuiltStage) -> Prebuilt {
        Prebuilt(Arc::new(Mutex::new(Some((options.clone(), built)))))
    }

    fn take_if_built_from(&self, options: &toml::Table) -> Option<BuiltStage> {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match slot.take() {
            Some((built_from, built)) if built_from == *options => Some(built),
            _ => None,
        }
    }
}

impl fmt::Debug for Prebuilt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.0.lock().map(|slot| slot.is_some()).unwrap_or(false);
        write!(f, "Prebuilt({})", if held { "held" } else { "none" })
    }
}

/// A checked pipeline: every stage exists, its options parse, and every
/// stage's needs are provided by an earlier stage.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The file it came from (or `<string>`).
    pub path: PathBuf,
    /// The `[run]` section.
    pub run: RunSection,
    /// The stages, in order.
    pub stages: Vec<PlannedStage>,
}

struct Locator<'s> {
    file: &'s Path,
    source: &'s str,
}

impl Locator<'_> {
    fn error(
        &self,
        span: Option<std::ops::Range<usize>>,
        stage: Option<String>,
        message: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = match span {
            Some(span) => {
                let at = span.start.min(self.source.len());
                let before = &self.source[..at];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        ConfigError {
            file: self.file.to_path_buf(),
            line,
            column,
            stage,
            message: message.into(),
        }
    }
}

impl Pipeline {
    /// Reads and checks a pipeline file.
    pub fn from_file(path: &Path) -> Result<Pipeline, Vec<ConfigError>> {
        let source = std::fs::read_to_string(path).map_err(|e| {
            vec![ConfigError {
                file: path.to_path_buf(),
                line: None,
                column: None,
                stage: None,
                message: format!("cannot read: {e}"),
            }]
        })?;
        Pipeline::from_str(&source, path)
    }

    /// Checks a pipeline given as TOML text; `path` is used in messages.
    pub fn from_str(source: &str, path: &Path) -> Result<Pipeline, Vec<ConfigError>> {
        let at = Locator { file: path, source };
        let doc = match DeTable::parse(source) {
            Ok(doc) => doc.into_inner(),
            Err(e) => {
                return Err(vec![at.error(
                    e.span(),
                    None,
                    e.message().trim().to_string(),
                )]);
            }
        };
        let mut errors = Vec::new();
        let mut run = RunSection::default();
        let mut stages = Vec::new();
        for (key, value) in doc.iter() {
            match key.get_ref().as_ref() {
                "run" => match table_of(value.get_ref()) {
                    Some(t) => match parse_with_spans::<RunSection>(t, source) {
                        Ok(r) => run = r,
                        Err((span, e)) => errors.push(at.error(
                            span.or(Some(key.span())),
                            Some("[run]".into()),
                            e.to_string(),
                        )),
                    },
                    None => errors.push(at.error(
                        Some(key.span()),
                        None,
                        "`run` must be a table ([run])",
                    )),
                },
                "stage" => match value.get_ref() {
                    DeValue::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let index = i + 1;
                            match item.get_ref() {
                                DeValue::Table(t) => {
                                    if let Some(s) = resolve_stage(
                                        index,
                                        t,
                                        item.span(),
                                        source,
                                        &at,
                                        &mut errors,
                                    ) {
                                        stages.push(s);
                                    }
                                }
                                _ => errors.push(at.error(
                                    Some(item.span()),
                                    Some(format!("stage {index}")),
                                    "each stage must be a table ([[stage]])",
                                )),
                            }
                        }
                    }
                    _ => errors.push(at.error(
                        Some(key.span()),
                        None,
                        "`stage` must be an array of tables ([[stage]])",
                    )),
                },
                other => errors.push(at.error(
                    Some(key.span()),
                    None,
                    format!("unknown top-level key `{other}` (expected [run] or [[stage]])"),
                )),
            }
        }
        if run.batch_size == 0 {
            errors.push(at.error(
                key_span(&doc, "run", "batch_size"),
                Some("[run]".into()),
                "option `batch_size`: must be at least 1",
            ));
        }
        check_plan(&stages, &at, &mut errors);
        if errors.is_empty() {
            Ok(Pipeline {
                path: path.to_path_buf(),
                run,
                stages,
            })
        } else {
            errors.sort_by_key(|e| (e.line, e.column));
            Err(errors)
        }
    }

    /// The stages of one kind, in order.
    pub fn stages_of(&self, kind: StageKind) -> impl Iterator<Item = &PlannedStage> {
        self.stages.iter().filter(move |s| s.factory.kind == kind)
    }
}

fn table_of<'a, 'i>(value: &'a DeValue<'i>) -> Option<&'a DeTable<'i>> {
    match value {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

fn key_span(doc: &DeTable<'_>, table: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let t = table_of(doc.get(table)?.get_ref())?;
    t.iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(k, _)| k.span())
}

/// The source text of a spanned table rendered back to a `toml::Table`.
fn to_table(t: &DeTable<'_>, source: &str) -> Result<toml::Table, String> {
    // Re-parse each value from its own source span: exact, and keeps types.
    let mut out = toml::Table::new();
    for (k, v) in t.iter() {
        let text = source.get(v.span()).ok_or("bad span")?;
        let value = match v.get_ref() {
            DeValue::Table(inner) => toml::Value::Table(to_table(inner, source)?),
            DeValue::Array(items)
                if items
                    .iter()
                    .any(|i| matches!(i.get_ref(), DeValue::Table(_))) =>
            {
                let mut arr = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(inner) => {
                            arr.push(toml::Value::Table(to_table(inner, source)?))
                        }
                        _ => arr.push(parse_value(source.get(item.span()).ok_or("bad span")?)?),
                    }
                }
                toml::Value::Array(arr)
            }
            _ => parse_value(text)?,
        };
        out.insert(k.get_ref().to_string(), value);
    }
    Ok(out)
}

fn parse_value(text: &str) -> Result<toml::Value, String> {
    let wrapped = format!("v = {text}");
    let mut t: toml::Table = toml::from_str(&wrapped).map_err(|e| e.message().to_string())?;
    t.remove("v").ok_or_else(|| "missing value".to_string())
}

type Span = Option<std::ops::Range<usize>>;

fn parse_with_spans<C: serde::de::DeserializeOwned>(
    t: &DeTable<'_>,
    source: &str,
) -> Result<C, (Span, OptionError)> {
    let table = to_table(t, source).map_err(|m| {
        (
            None,
            OptionError {
                key: None,
                message: m,
            },
        )
    })?;
    copydesk_core::parse_options::<C>(&table).map_err(|e| {
        let span = e.key.as_deref().and_then(|k| {
            t.iter()
                .find(|(key, _)| key.get_ref().as_ref() == k)
                .map(|(key, _)| key.span())
        });
        (span, e)
    })
}

fn resolve_stage(
    index: usize,
    t: &DeTable<'_>,
    span: std::ops::Range<usize>,
    source: &str,
    at: &Locator<'_>,
    errors: &mut Vec<ConfigError>,
) -> Option<PlannedStage> {
    let type_entry = t.iter().find(|(k, _)| k.get_ref().as_ref() == "type");
    let Some((type_key, type_value)) = type_entry else {
        errors.push(at.error(
            Some(span),
            Some(format!("stage {index}")),
            "missing `type` (the registered stage name, e.g. \"clean.unicode.v1\")",
        ));
        return None;
    };
    let DeValue::String(name) = type_value.get_ref() else {
        errors.push(at.error(
            Some(type_value.span()),
            Some(format!("stage {index}")),
            "`type` must be a string",
        ));
        return None;
    };
    let name: &str = name.as_ref();
    let Some(factory) = find_stage(name) else {
        let hint = suggest(name)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        errors.push(at.error(
            Some(type_value.span()),
            Some(format!("stage {index}")),
            format!("unknown stage type `{name}`{hint} (`copydesk stages` lists them)"),
        ));
        return None;
    };
    let label = format!("stage {index} ({name})");
    let mut options = match to_table(t, source) {
        Ok(o) => o,
        Err(m) => {
            errors.push(at.error(Some(span), Some(label), m));
            return None;
        }
    };
    options.remove("type");
    let mut prebuilt = Prebuilt::default();
    match (factory.build)(&options) {
        Ok(built) => prebuilt = Prebuilt::new(&options, built),
        Err(e) => {
            let key_span = e.key.as_deref().and_then(|k| {
                t.iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k)
                    .map(|(key, _)| key.span())
            });
            errors.push(at.error(
                key_span.or(Some(type_key.span())),
                Some(label),
                e.to_string(),
            ));
            // Keep the stage for the needs check: its kind and capabilities are known.
        }
    }
    Some(PlannedStage {
        index,
        factory,
        options,
        line: at.error(Some(type_key.span()), None, "").line,
        prebuilt,
    })
}

fn check_plan(stages: &[PlannedStage], at: &Locator<'_>, errors: &mut Vec<ConfigError>) {
    let line_error = |s: &PlannedStage, message: String| ConfigError {
        file: at.file.to_path_buf(),
        line: s.line,
        column: None,
        stage: Some(s.label()),
        message,
    };
    if !stages.is_empty() && !stages.iter().any(|s| s.factory.kind == StageKind::Load) {
        errors.push(ConfigError {
            file: at.file.to_path_buf(),
            line: None,
            column: None,
            stage: None,
            message:
                "no load stage: add one (e.g. `load.text.v1`) so there is something to process"
                    .into(),
        });
    }
    if !stages.iter().any(|s| s.factory.kind == StageKind::Report) {
        errors.push(ConfigError {
            file: at.file.to_path_buf(),
            line: None,
            column: None,
            stage: None,
            message: "no report stage: the run would write nothing (add e.g. `report.jsonl.v1`)"
                .into(),
        });
    }
    let mut provided: BTreeSet<&str> = BTreeSet::new();
    let mut last_kind = StageKind::Load;
    let mut annotating_stage: Option<&PlannedStage> = None;
    for s in stages {
        let f = s.factory;
        if f.kind < last_kind {
            errors.push(line_error(
                s,
                format!(
                    "a {} stage cannot come after a {} stage: stages run load → document → corpus → report",
                    kind_name(f.kind),
                    kind_name(last_kind)
                ),
            ));
        }
        last_kind = last_kind.max(f.kind);
        for need in f.needs {
            if !provided.contains(need) {
                let providers: Vec<&str> = registry()
                    .iter()
                    .filter(|o| o.provides.contains(need))
                    .map(|o| o.name)
                    .collect();
                let hint = if providers.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (add {} before it)",
                        providers
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )
                };
                errors.push(line_error(
                    s,
                    format!("needs `{need}`, which no earlier stage provides{hint}"),
                ));
            }
        }
        if f.rewrites_text
            && let Some(tagger) = annotating_stage
        {
            errors.push(line_error(
                s,
                format!("rewrites the text after {} added annotations: clean stages must run before tag stages", tagger.label()),
            ));
        }
        if f.provides
            .iter()
            .any(|p| p.starts_with("layer.") || *p == copydesk_core::cap::SPIN)
            && annotating_stage.is_none()
        {
            annotating_stage = Some(s);
        }
        provided.extend(f.provides.iter().copied());
    }
}

fn kind_name(kind: StageKind) -> &'static str {
    match kind {
        StageKind::Load => "load",
        StageKind::Document => "document",
        StageKind::Corpus => "corpus",
        StageKind::Report => "report",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_STAGES: &str = r#"
[[stage]]
type = "load.jsonl.v1"
text_field = "body"

[[stage]]
type = "report.jsonl.v1"
"#;

    fn held(stage: &PlannedStage) -> bool {
        format!("{:?}", stage.prebuilt) == "Prebuilt(held)"
    }

    #[test]
    fn checked_stages_are_built_once_and_kept_for_the_run() {
        let pipeline = Pipeline::from_str(TWO_STAGES, Path::new("p.toml")).unwrap();
        assert!(pipeline.stages.iter().all(held));
        let first = &pipeline.stages[0];
        assert_eq!(first.take_built().unwrap().kind(), StageKind::Load);
        assert!(!held(first), "the prebuilt stage is given out once");
        // A second run builds anew.
        assert_eq!(first.take_built().unwrap().kind(), StageKind::Load);
    }

    #[test]
    fn a_prebuilt_stage_is_not_used_once_its_options_changed() {
        let mut pipeline = Pipeline::from_str(TWO_STAGES, Path::new("p.toml")).unwrap();
        let stage = &mut pipeline.stages[0];
        stage
            .options
            .insert("text_field".into(), toml::Value::String("text".into()));
        assert!(held(stage));
        assert!(stage.prebuilt.take_if_built_from(&stage.options).is_none());
        assert!(
            stage.take_built().is_ok(),
            "built anew from the new options"
        );
    }

    #[test]
    fn clones_of_a_pipeline_share_the_prebuilt_stages() {
        let pipeline = Pipeline::from_str(TWO_STAGES, Path::new("p.toml")).unwrap();
        let clone = pipeline.clone();
        pipeline.stages[1].take_built().unwrap();
        assert!(!held(&clone.stages[1]));
        assert!(clone.stages[1].take_built().is_ok());
    }
}
