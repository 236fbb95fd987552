//! Recognizing table rows, whose line breaks and column spacing must survive
//! line-wrap repair.

/// Whether a line is a row of a table laid out with spaces or tabs.
///
/// A row has a run of three or more spaces between two non-blank
/// characters (`"Wheat   2.55   2.40"`), or at least two column gaps: a run
/// with a tab, or a run of two spaces that does not follow punctuation
/// (typists put two spaces after a full stop, so `"said.  The"` does not
/// count). Leading and trailing blanks are ignored.
///
/// ```
/// use copydesk_clean::tabular::is_table_row;
/// assert!(is_table_row("         Natl   Loan           Release   Call"));
/// assert!(is_table_row(" Corn    1.35   1.92       IV     3.15   3.15"));
/// assert!(is_table_row("Net  5.0 mln  vs  4.1 mln"));
/// assert!(!is_table_row("January 19, 1984.  X-1986 rates.  Y-dlrs per CWT"));
/// assert!(!is_table_row("    Shr 1.20 dlrs vs 1.10 dlrs"));
/// ```
pub fn is_table_row(line: &str) -> bool {
    let content = line.trim();
    let mut double_runs = 0;
    let mut run = 0usize;
    let mut run_has_tab = false;
    let mut before_run: Option<char> = None;
    let mut prev: Option<char> = None;
    for c in content.chars() {
        if c.is_whitespace() {
            if run == 0 {
                before_run = prev;
                run_has_tab = false;
            }
            run += 1;
            run_has_tab |= c == '\t';
        } else {
            // `content` is trimmed, so a run seen here lies between two
            // non-blank characters.
            if run >= 3 {
                return true;
            }
            let gap = run_has_tab
                || (run == 2
                    && !before_run.is_some_and(|p| matches!(p, '.' | '?' | '!' | ':' | ';' | ',')));
            if gap {
                double_runs += 1;
                if double_runs >= 2 {
                    return true;
                }
            }
            run = 0;
            run_has_tab = false;
        }
        prev = Some(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_with_stray_double_spaces_is_not_a_table() {
        assert!(!is_table_row("derive  benefits of various dairy"));
        assert!(!is_table_row("reduce licensing requirements by 65  to"));
        assert!(!is_table_row(""));
        assert!(!is_table_row("      "));
    }

    #[test]
    fn tab_separated_columns_are_a_table() {
        assert!(is_table_row("Wheat\t2.55\t2.40"));
        assert!(!is_table_row("Two spaces\there."));
        assert!(!is_table_row("\tindented paragraph start"));
    }
}
