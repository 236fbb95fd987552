//! Helpers for stage crates' own tests.

use crate::stage::StageFactory;

/// Checks a factory the way the runner relies on it: the default options
/// build, and the documented options are exactly the config's keys (so
/// `copydesk stages` cannot drift from the code).
///
/// Panics with a message naming the stage on failure; meant for tests.
pub fn check_factory(factory: &StageFactory) {
    let defaults = (factory.defaults)();
    if let Err(e) = (factory.build)(&defaults) {
        panic!("{}: default options do not build: {e}", factory.name);
    }
    let mut documented: Vec<&str> = factory.options.iter().map(|o| o.name).collect();
    documented.sort_unstable();
    let mut keys: Vec<&str> = defaults.keys().map(String::as_str).collect();
    keys.sort_unstable();
    // Options whose default is "unset" (None) do not appear in the defaults.
    for key in &keys {
        assert!(
            documented.contains(key),
            "{}: option `{key}` is not documented in OPTIONS",
            factory.name
        );
    }
    for doc in factory.options {
        assert!(
            !doc.doc.is_empty(),
            "{}: option `{}` has no doc",
            factory.name,
            doc.name
        );
        let mut one = toml::Table::new();
        if let Some(v) = defaults.get(doc.name) {
            one.insert(doc.name.to_string(), v.clone());
            if let Err(e) = (factory.build)(&one) {
                panic!(
                    "{}: option `{}` alone does not build: {e}",
                    factory.name, doc.name
                );
            }
        }
    }
    let mut bogus = defaults.clone();
    bogus.insert("no_such_option_xyz".into(), toml::Value::Boolean(true));
    match (factory.build)(&bogus) {
        Ok(_) => panic!(
            "{}: unknown option accepted (add deny_unknown_fields)",
            factory.name
        ),
        Err(e) => assert_eq!(
            e.key.as_deref(),
            Some("no_such_option_xyz"),
            "{}",
            factory.name
        ),
    }
    assert!(
        factory
            .name
            .rsplit('.')
            .next()
            .is_some_and(|v| v.starts_with('v') && v[1..].parse::<u32>().is_ok()),
        "{}: stage names end in a version (`.v1`)",
        factory.name
    );
}
