//! Stage options: typed config structs built from TOML, with errors that
//! name the offending option.

use crate::capability::Capability;
use crate::stage::{BuiltStage, StageFactory, StageKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One documented option of a stage, shown by `copydesk stages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionDoc {
    /// The option's key in `pipeline.toml`.
    pub name: &'static str,
    /// Its type as a user writes it (`"string"`, `"integer"`, `"list of strings"`).
    pub kind: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// A bad option value, naming the key when it is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", key.as_ref().map(|k| format!("option `{k}`: ")).unwrap_or_default())]
pub struct OptionError {
    /// The offending key, when it is known.
    pub key: Option<String>,
    /// What is wrong with it.
    pub message: String,
}

/// Checks an output path option of a report: not empty, relative, and not
/// leaving the output directory.
pub fn check_output_path(key: &str, path: &str) -> Result<(), OptionError> {
    if path.trim().is_empty() {
        return Err(OptionError::for_key(key, "must not be empty"));
    }
    let p = std::path::Path::new(path);
    if p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(OptionError::for_key(
            key,
            format!("`{path}` must be a relative path inside the output directory"),
        ));
    }
    Ok(())
}

impl OptionError {
    /// An error about one option.
    pub fn for_key(key: &str, message: impl Into<String>) -> Self {
        OptionError {
            key: Some(key.to_string()),
            message: message.into(),
        }
    }
}

/// The config struct of a stage (serde with `deny_unknown_fields`; `Default`
/// gives the defaults). Implement it, then register the stage with [`factory`].
pub trait StageConfig: Serialize + DeserializeOwned + Default + 'static {
    /// The stable, versioned name (`"tag.quotes.v1"`).
    const NAME: &'static str;
    /// The kind of stage.
    const KIND: StageKind;
    /// One line saying what the stage does.
    const DESCRIPTION: &'static str;
    /// Capabilities an earlier stage must provide.
    const NEEDS: &'static [Capability];
    /// Capabilities this stage provides.
    const PROVIDES: &'static [Capability];
    /// Whether the stage rewrites the clean text.
    const REWRITES_TEXT: bool = false;
    /// The options, documented (one per field of the struct).
    const OPTIONS: &'static [OptionDoc];

    /// Checks values that types cannot (ranges, regexes) without doing I/O.
    fn validate(&self) -> Result<(), OptionError> {
        Ok(())
    }

    /// Builds the runtime stage.
    fn build(&self) -> Result<BuiltStage, OptionError>;
}

/// The factory registering config type `C`.
pub fn factory<C: StageConfig>() -> StageFactory {
    StageFactory {
        name: C::NAME,
        kind: C::KIND,
        description: C::DESCRIPTION,
        needs: C::NEEDS,
        provides: C::PROVIDES,
        rewrites_text: C::REWRITES_TEXT,
        options: C::OPTIONS,
        defaults: || toml::Table::try_from(C::default()).unwrap_or_default(),
        build: |table| {
            let config: C = parse_options(table)?;
            config.validate()?;
            config.build()
        },
    }
}

/// Parses a stage's option table into its config struct.
///
/// Errors name the offending key: the table is written out one key per line
/// and the parser's error position tells which line, hence which key, failed.
pub fn parse_options<C: DeserializeOwned>(table: &toml::Table) -> Result<C, OptionError> {
    let mut source = String::new();
    let mut line_keys = Vec::new();
    for (key, value) in table {
        // One key per line, values inline, so a line number names a key.
        let rendered = format!("{} = {}", toml::Value::String(key.clone()), value);
        for _ in rendered.lines() {
            line_keys.push(key.clone());
        }
        source.push_str(&rendered);
        source.push('\n');
    }
    toml::from_str::<C>(&source).map_err(|e| {
        let key = e.span().and_then(|span| {
            let line = source[..span.start.min(source.len())].matches('\n').count();
            line_keys.get(line).cloned()
        });
        OptionError {
            key,
            message: e.message().trim().to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Serialize, Default, PartialEq)]
    #[serde(deny_unknown_fields, default)]
    struct Opts {
        threshold: f64,
        names: Vec<String>,
        nested: Option<Inner>,
    }
    #[derive(Debug, Deserialize, Serialize, Default, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        depth: u32,
    }

    fn table(s: &str) -> toml::Table {
        s.parse().unwrap()
    }

    #[test]
    fn parses_good_options() {
        let o: Opts = parse_options(&table(
            "threshold = 0.5\nnames = [\"a\"]\nnested = { depth = 2 }",
        ))
        .unwrap();
        assert_eq!(o.threshold, 0.5);
        assert_eq!(o.nested, Some(Inner { depth: 2 }));
    }

    #[test]
    fn unknown_option_is_named() {
        let e = parse_options::<Opts>(&table("threshold = 0.5\ntreshold = 1.0")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("treshold"), "{e}");
        assert!(e.message.contains("unknown field"), "{e}");
    }

    #[test]
    fn wrong_type_is_named() {
        let e = parse_options::<Opts>(&table("names = [\"a\"]\nthreshold = \"high\"")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("threshold"), "{e}");
    }

    #[test]
    fn nested_error_is_attributed_to_its_top_level_key() {
        let e = parse_options::<Opts>(&table("nested = { depth = \"deep\" }\nthreshold = 1.0"))
            .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("nested"), "{e}");
    }
}
