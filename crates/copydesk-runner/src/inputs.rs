//! Turning the user's inputs (files, directories, globs) into a file list.

use std::path::{Path, PathBuf};

/// One file to read, and whether the user named it directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file.
    pub path: PathBuf,
    /// Named directly (or by a glob) rather than found in a directory: a file
    /// no loader accepts is then an error, not a skip.
    pub explicit: bool,
}

/// A deterministic share of the inputs: shard `index` of `count` (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` (0-based `I`).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("shard `{s}`: expected I/N, e.g. 0/4"))?;
        let index: usize = i
            .trim()
            .parse()
            .map_err(|_| format!("shard `{s}`: `{i}` is not a number"))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("shard `{s}`: `{n}` is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard `{s}`: need 0 <= I < N"));
        }
        Ok(Shard { index, count })
    }

    /// Whether the file at position `ordinal` of the sorted input list belongs to this shard.
    pub fn owns(&self, ordinal: usize) -> bool {
        ordinal % self.count == self.index
    }
}

/// Expands inputs in the order given; directories are walked recursively and
/// their files sorted by path; globs are sorted. A file reached twice is read once.
/// Returns the files and one message per input that matched nothing.
pub fn expand_inputs(inputs: &[String]) -> (Vec<InputFile>, Vec<String>) {
    let mut files: Vec<InputFile> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for input in inputs {
        let path = Path::new(input);
        let mut found = Vec::new();
        if path.is_dir() {
            walk(path, &mut found, &mut problems);
            found.sort();
            found
                .into_iter()
                .for_each(|p| push(&mut files, &mut seen, p, false));
        } else if path.exists() || input == "-" {
            push(&mut files, &mut seen, path.to_path_buf(), true);
        } else {
            match glob::glob(input) {
                Ok(paths) => {
                    for entry in paths {
                        match entry {
                            Ok(p) if p.is_dir() => {
                                let mut inner = Vec::new();
                                walk(&p, &mut inner, &mut problems);
                                found.extend(inner);
                            }
                            Ok(p) => found.push(p),
                            Err(e) => problems.push(format!("{}: {e}", e.path().display())),
                        }
                    }
                    if found.is_empty() {
                        problems.push(format!("{input}: no such file, directory or matching glob"));
                    }
                    found.sort();
                    found
                        .into_iter()
                        .for_each(|p| push(&mut files, &mut seen, p, true));
                }
                Err(e) => problems.push(format!("{input}: bad glob pattern: {e}")),
            }
        }
    }
    (files, problems)
}

fn push(
    files: &mut Vec<InputFile>,
    seen: &mut std::collections::HashSet<PathBuf>,
    path: PathBuf,
    explicit: bool,
) {
    if seen.insert(path.clone()) {
        files.push(InputFile { path, explicit });
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("{}: cannot list directory: {e}", dir.display()));
            return;
        }
    };
    for entry in entries {
        match entry {
            Ok(entry) => {
                let p = entry.path();
                let hidden = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'));
                if hidden {
                    continue;
                }
                if p.is_dir() {
                    walk(&p, out, problems);
                } else {
                    out.push(p);
                }
            }
            Err(e) => problems.push(format!("{}: {e}", dir.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn directories_are_walked_sorted_and_hidden_files_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for f in ["b.txt", "a.txt", "sub/c.txt", ".hidden.txt"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let (files, problems) = expand_inputs(&[dir.path().to_string_lossy().into_owned()]);
        assert!(problems.is_empty());
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.txt", "b.txt", "sub/c.txt"]);
        assert!(files.iter().all(|f| !f.explicit));
    }

    #[test]
    fn globs_expand_and_missing_inputs_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.txt"), "x").unwrap();
        std::fs::write(dir.path().join("y.md"), "x").unwrap();
        let glob = format!("{}/*.txt", dir.path().display());
        let missing = format!("{}/nope.txt", dir.path().display());
        let (files, problems) = expand_inputs(&[glob.clone(), missing, glob]);
        assert_eq!(files.len(), 1);
        assert!(files[0].explicit);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("nope.txt"));
    }

    #[test]
    fn shard_parsing_rejects_nonsense() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("x").is_err());
    }

    proptest! {
        #[test]
        fn shards_cover_every_input_exactly_once(n in 1usize..20, files in 0usize..200) {
            for f in 0..files {
                let owners = (0..n).filter(|&i| Shard { index: i, count: n }.owns(f)).count();
                prop_assert_eq!(owners, 1);
            }
        }
    }
}
