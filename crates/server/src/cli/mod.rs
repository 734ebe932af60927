//! The command line's operator actions: `support-server upgrades ...` (deciding support tier upgrade
//! requests) and `support-server tickets ...` (the support team's side of tickets, until it has its own
//! tool), `support-server mail ingest` (an email reply on standard input) and `support-server attachments
//! sweep` (the orphan sweep on demand), and `support-server bench-data` (generated data for the load benchmark). Each command is a library function that the tests call too, and a thin `run` that prints.

pub mod attachments;
pub mod bench_data;
pub mod mail;
pub mod tickets;
pub mod upgrades;

use std::fmt;

use crate::config::Config;
use crate::store::{Database, Store};

/// Text someone else wrote (a subject, an organization's name, an address), escaped for the operator's
/// terminal: control characters (escape sequences could rewrite the screen or the terminal's title;
/// a tab would shift the tab-separated columns; a line break would forge a line), the Unicode line
/// separators and the bidirectional controls (which can make a line read differently from its bytes)
/// are printed as Rust escapes (`\u{1b}`, `\t`). Everything else is printed as it is.
///
/// The API refuses these characters in single-line fields (`api::validate`); rows written before it
/// did, or by other means, are why the CLI escapes all the same.
pub struct Escaped<'a>(pub &'a str);

/// Whether `c` is printed escaped by [`Escaped`]: exactly what a single-line field refuses, so the
/// two lists cannot drift apart.
fn needs_escape(c: char) -> bool {
    api::validate::is_refused_in_single_line(c)
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in self.0.split_inclusive(needs_escape) {
            match piece.chars().last() {
                Some(last) if needs_escape(last) => {
                    f.write_str(&piece[..piece.len() - last.len_utf8()])?;
                    write!(f, "{}", last.escape_default())?;
                }
                _ => f.write_str(piece)?,
            }
        }
        Ok(())
    }
}

/// The configured database for an operator command, which must exist already: a mistyped path must not
/// create an empty one.
pub async fn open_existing(config: &Config) -> anyhow::Result<Store> {
    if let Database::Sqlite(path) = config.database() {
        anyhow::ensure!(
            path.exists(),
            "database {} does not exist (check --database or --data-dir)",
            path.display()
        );
    }
    Store::connect(&config.database_options()).await
}

#[cfg(test)]
mod tests {
    use super::Escaped;

    #[test]
    fn control_and_reordering_characters_are_escaped_and_the_rest_is_kept() {
        let shown = Escaped(
            "Down\u{1b}]0;pwned\u{7}\tnext\nline \u{202e}txt.exe\u{85} \u{fc}ber \u{1f525}\u{200f}",
        )
        .to_string();
        assert_eq!(
            shown,
            "Down\\u{1b}]0;pwned\\u{7}\\tnext\\nline \\u{202e}txt.exe\\u{85} \u{fc}ber \u{1f525}\\u{200f}"
        );
        assert_eq!(Escaped("C:\\logs\\pg.log").to_string(), "C:\\logs\\pg.log");
    }
}
