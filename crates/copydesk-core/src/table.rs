//! Corpus tables kept on disk: a corpus stage may emit one row per
//! relation for millions of documents without holding them in memory.

use crate::error::StageError;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::sync::Mutex;

/// The rows of one corpus table (`relations`, say), written as JSON lines
/// to an anonymous temporary file as they are pushed and read back as a
/// stream, any number of times. Memory use does not grow with the rows.
///
/// ```
/// use copydesk_core::RecordTable;
/// let mut table = RecordTable::default();
/// table.push(&serde_json::json!({"doc": "a", "source": "b"})).unwrap();
/// assert_eq!(table.len(), 1);
/// let rows: Vec<serde_json::Value> = table.rows().unwrap().collect::<Result<_, _>>().unwrap();
/// assert_eq!(rows[0]["source"], "b");
/// ```
#[derive(Default)]
pub struct RecordTable {
    /// The backing file; created on the first push.
    file: Option<tempfile::NamedTempFile>,
    /// The buffered writer appending to it (flushed before reading).
    writer: Mutex<Option<BufWriter<File>>>,
    /// Rows pushed.
    len: usize,
}

impl RecordTable {
    /// A table holding `rows` (convenient for tests and small tables).
    pub fn from_rows<T: Serialize>(
        rows: impl IntoIterator<Item = T>,
    ) -> Result<RecordTable, StageError> {
        let mut table = RecordTable::default();
        for row in rows {
            table.push(&row)?;
        }
        Ok(table)
    }

    /// Appends one row, serialized as one line of JSON.
    pub fn push<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<(), StageError> {
        let line = serde_json::to_string(row)?;
        if self.file.is_none() {
            let file = tempfile::NamedTempFile::new()
                .map_err(|e| StageError::new(format!("creating a corpus table file: {e}")))?;
            let handle = file.reopen()?;
            self.file = Some(file);
            *self.lock_writer() = Some(BufWriter::new(handle));
        }
        let mut writer = self.lock_writer();
        let w = writer
            .as_mut()
            .ok_or_else(|| StageError::new("corpus table writer missing"))?;
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")?;
        drop(writer);
        self.len += 1;
        Ok(())
    }

    /// Rows pushed so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads the rows back in order, each as a JSON value.
    pub fn rows(&self) -> Result<TableRows<serde_json::Value>, StageError> {
        self.rows_as()
    }

    /// Reads the rows back in order, each parsed as `T`; a row that does not
    /// parse is an error naming its row number, and reading goes on.
    pub fn rows_as<T: DeserializeOwned>(&self) -> Result<TableRows<T>, StageError> {
        let reader = match &self.file {
            None => None,
            Some(file) => {
                if let Some(w) = self.lock_writer().as_mut() {
                    w.flush()?;
                }
                Some(BufReader::new(file.reopen()?))
            }
        };
        Ok(TableRows {
            reader,
            row: 0,
            line: String::new(),
            _row_type: std::marker::PhantomData,
        })
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, Option<BufWriter<File>>> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for RecordTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordTable")
            .field("len", &self.len)
            .finish()
    }
}

impl Serialize for RecordTable {
    /// Serializes as the sequence of its rows (streamed from disk).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.len))?;
        for row in self.rows().map_err(S::Error::custom)? {
            seq.serialize_element(&row.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// The rows of a [`RecordTable`], read from disk one at a time.
pub struct TableRows<T> {
    reader: Option<BufReader<File>>,
    row: usize,
    line: String,
    _row_type: std::marker::PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Iterator for TableRows<T> {
    type Item = Result<T, StageError>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        self.line.clear();
        match reader.read_line(&mut self.line) {
            Ok(0) => None,
            Ok(_) => {
                self.row += 1;
                Some(
                    serde_json::from_str(self.line.trim_end()).map_err(|e| {
                        StageError::new(format!("corpus table row {}: {e}", self.row))
                    }),
                )
            }
            Err(e) => Some(Err(StageError::from(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_table_has_no_rows() {
        let t = RecordTable::default();
        assert!(t.is_empty());
        assert_eq!(t.rows().unwrap().count(), 0);
    }

    #[test]
    fn rows_can_be_read_while_more_are_pushed() {
        let mut t = RecordTable::default();
        t.push(&1).unwrap();
        assert_eq!(t.rows_as::<u32>().unwrap().count(), 1);
        t.push(&2).unwrap();
        let all: Vec<u32> = t.rows_as().unwrap().map(Result::unwrap).collect();
        assert_eq!(all, vec![1, 2]);
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_an_error_naming_the_row() {
        let t = RecordTable::from_rows(["a", "b"]).unwrap();
        let first = t.rows_as::<u32>().unwrap().next().unwrap();
        let err = first.unwrap_err().to_string();
        assert!(err.contains("row 1"), "{err}");
    }

    #[test]
    fn serializes_as_its_rows() {
        let t =
            RecordTable::from_rows([serde_json::json!({"a": 1}), serde_json::json!([2])]).unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"[{"a":1},[2]]"#);
    }

    proptest! {
        #[test]
        fn rows_come_back_as_pushed(rows in proptest::collection::vec(".*", 0..40)) {
            let t = RecordTable::from_rows(&rows).unwrap();
            prop_assert_eq!(t.len(), rows.len());
            let back: Vec<String> = t.rows_as().unwrap().map(Result::unwrap).collect();
            prop_assert_eq!(back, rows);
        }
    }
}
