//! Plain text as people wrote it, with web addresses found so the UI can make them links. Nothing here
//! produces HTML: the UI renders each piece as a text node or a link.

/// A piece of a text: plain, or a web address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text to show as it is.
    Text(&'a str),
    /// An `http://` or `https://` address to show as a link to itself.
    Link(&'a str),
}

/// Splits `text` into plain pieces and `http://` / `https://` addresses. Punctuation that usually ends a
/// sentence (`.`, `,`, `)`, ...) is left out of an address's end, so "see https://x.example/a." links
/// `https://x.example/a`. Other schemes (`javascript:`, `data:`) are never links.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        let (before, from) = rest.split_at(start);
        let end = from.find(char::is_whitespace).unwrap_or(from.len());
        let mut url = &from[..end];
        while let Some(last) = url.chars().last() {
            let unbalanced_paren =
                last == ')' && url.matches('(').count() < url.matches(')').count();
            if matches!(
                last,
                '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | ']' | '>' | '}'
            ) || unbalanced_paren
            {
                url = &url[..url.len() - last.len_utf8()];
            } else {
                break;
            }
        }
        let scheme_only = url == "http://" || url == "https://";
        if !before.is_empty() {
            out.push(Piece::Text(before));
        }
        if scheme_only {
            out.push(Piece::Text(url));
        } else {
            out.push(Piece::Link(url));
        }
        rest = &from[url.len()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Where the next `http://` or `https://` starts, if one does at a word boundary.
fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http") {
        let at = from + found;
        let tail = &lower[at..];
        let boundary = at == 0
            || !lower[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric());
        if boundary && (tail.starts_with("http://") || tail.starts_with("https://")) {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Piece::*;

    #[test]
    fn finds_addresses_and_leaves_sentence_punctuation_out() {
        assert_eq!(
            pieces("See https://status.example/incidents/42. Thanks"),
            [
                Text("See "),
                Link("https://status.example/incidents/42"),
                Text(". Thanks")
            ]
        );
        assert_eq!(
            pieces("(docs: http://docs.example/a_(b))"),
            [
                Text("(docs: "),
                Link("http://docs.example/a_(b)"),
                Text(")")
            ]
        );
    }

    #[test]
    fn plain_text_and_other_schemes_stay_text() {
        assert_eq!(pieces("no links here"), [Text("no links here")]);
        assert_eq!(
            pieces("javascript:alert(1) data:text/html,<b>x</b>"),
            [Text("javascript:alert(1) data:text/html,<b>x</b>")]
        );
        assert_eq!(
            pieces("xhttps://nope.example"),
            [Text("xhttps://nope.example")]
        );
        assert_eq!(pieces("https:// alone"), [Text("https://"), Text(" alone")]);
        assert_eq!(pieces(""), []);
    }

    #[test]
    fn keeps_every_character_including_line_breaks() {
        let text = "line 1\nHTTPS://A.example/x?y=1&z=<2>\n\tend";
        let joined: String = pieces(text)
            .iter()
            .map(|p| match p {
                Text(t) | Link(t) => *t,
            })
            .collect();
        assert_eq!(joined, text);
    }
}
