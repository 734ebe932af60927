//! Parse-don't-validate newtypes. The SPA calls these for instant feedback; the server calls the same
//! functions and its answer is final.

use std::fmt;

use email_address::{EmailAddress, Options};
use serde::{Deserialize, Serialize};

use crate::error::FieldMessage;
use crate::field::Field;
use crate::format::group_thousands;

/// A validation failure for one field, with a message that names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, whose wire name [`FieldMessage::field`] carries.
    pub field: Field,
    /// A sentence for people.
    pub message: String,
}

impl FieldError {
    /// A failure of `field` explained by `message`.
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl FieldError {
    /// "{label}: use at most 32,000 characters; this has 32,001.": `count` characters where `field`
    /// allows `max`.
    pub fn too_long(field: Field, max: usize, count: usize) -> Self {
        Self::new(
            field,
            format!(
                "{}: use at most {} characters; this has {}.",
                field.label(),
                group_thousands(max as u64),
                group_thousands(count as u64)
            ),
        )
    }
}

impl From<FieldError> for FieldMessage {
    fn from(e: FieldError) -> Self {
        FieldMessage {
            field: e.field.as_str().to_owned(),
            message: e.message,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Gathers every failure of a form so the user sees them all at once, not one per round trip.
pub fn collect<const N: usize>(results: [Option<FieldError>; N]) -> Result<(), Vec<FieldMessage>> {
    let errors: Vec<FieldMessage> = results.into_iter().flatten().map(Into::into).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Whether `c` may not appear in a single-line field (a subject, an address, a project's name): every
/// control character (C0, DEL, C1: tabs and line breaks included), the Unicode line and paragraph
/// separators and the bidirectional controls ([`is_bidi_control`]). None of them is visible text; in a
/// terminal or an email header they can move the cursor, clear the screen or start a new line, and a
/// direction override makes a subject or a name read differently from what it holds.
pub fn is_refused_in_single_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// Whether `c` is a Unicode bidirectional formatting character: the embeddings and overrides
/// (U+202A-202E), the isolates (U+2066-2069) and the marks (U+200E, U+200F, U+061C). Invisible, they
/// reorder the text around them on screen ("invoice\u{202e}fdp.exe" shows as "invoiceexe.pdf"): in a
/// one-line field, where no paragraph of mixed scripts needs them, they can only mislead.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// Whether `c` may not appear in a multi-line field (a description, a comment): the control
/// characters except tab, line feed and carriage return, which pasted logs and stack traces are made
/// of. The rest (NUL, backspace, escape, form feed, DEL, C1) are not text a person writes; an escape
/// sequence from a terminal log would reach the support team's terminal and their email.
pub fn is_refused_in_multi_line(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses `text` for `field` if it holds a character `refused` says no to; the message names the
/// field, the character (as `U+001B`: it is invisible) and where it is (counting characters from 1).
fn check_characters(field: Field, text: &str, refused: fn(char) -> bool) -> Result<(), FieldError> {
    let Some((index, c)) = text.chars().enumerate().find(|&(_, c)| refused(c)) else {
        return Ok(());
    };
    let position = index + 1;
    let label = field.label();
    let message = if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
        format!("{label}: keep it on one line; remove the line break at character {position}.")
    } else if c == '\t' {
        format!("{label}: remove the tab at character {position}.")
    } else if is_bidi_control(c) {
        format!(
            "{label}: remove the invisible text direction character U+{:04X} at character {position}.",
            u32::from(c)
        )
    } else {
        format!(
            "{label}: remove the invisible control character U+{:04X} at character {position}.",
            u32::from(c)
        )
    };
    Err(FieldError::new(field, message))
}

/// Checks a single-line field ([`is_refused_in_single_line`]).
pub fn check_single_line(field: Field, text: &str) -> Result<(), FieldError> {
    check_characters(field, text, is_refused_in_single_line)
}

/// Checks a multi-line field ([`is_refused_in_multi_line`]).
pub fn check_multi_line(field: Field, text: &str) -> Result<(), FieldError> {
    check_characters(field, text, is_refused_in_multi_line)
}

/// Longest address that fits an SMTP forward-path (RFC 5321, 4.5.3.1.3: 256 octets including the
/// angle brackets).
pub const EMAIL_MAX_LEN: usize = 254;

/// A syntactically valid email address (RFC 5321/5322 addr-spec without display name or domain
/// literal), trimmed and lower-cased.
///
/// Lower-casing the local part is technically lossy, but every mail provider our customers use
/// treats it case-insensitively, and one canonical form is what makes duplicate detection and
/// sign-in by email reliable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[cfg(feature = "openapi")]
string_schema!(Email, |s| s.format(Some(
    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Email)
)));

impl Email {
    /// Parses `input` for the sign-in form's [`Field::Email`].
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::parse_field(Field::Email, input)
    }

    /// Parses `input` for any email field; messages start with the field's [`Field::label`].
    pub fn parse_field(field: Field, input: &str) -> Result<Self, FieldError> {
        let label = field.label();
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(
                field,
                format!("{label}: enter an email address."),
            ));
        }
        if trimmed.chars().count() > EMAIL_MAX_LEN {
            return Err(FieldError::new(
                field,
                format!("{label}: an email address can have at most {EMAIL_MAX_LEN} characters."),
            ));
        }
        check_single_line(field, trimmed)?;
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        match EmailAddress::parse_with_options(trimmed, options) {
            Ok(_) => Ok(Self(trimmed.to_lowercase())),
            Err(_) => Err(FieldError::new(
                field,
                format!(
                    "{label}: \u{201c}{trimmed}\u{201d} is not a valid email address, e.g. name@example.com."
                ),
            )),
        }
    }

    /// The canonical address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value).map_err(|e| e.message)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Email::parse(s).unwrap().to_string()
    }

    fn err(s: &str) -> String {
        Email::parse(s).unwrap_err().message
    }

    #[test]
    fn accepts_common_and_odd_but_valid_addresses() {
        assert_eq!(ok("dev@acme.example"), "dev@acme.example");
        assert_eq!(
            ok("  Dev+Support@Acme.Example\n"),
            "dev+support@acme.example"
        );
        assert_eq!(ok("\"john doe\"@acme.example"), "\"john doe\"@acme.example");
        assert_eq!(ok("user@b\u{fc}cher.example"), "user@b\u{fc}cher.example");
        assert_eq!(ok("o'brien@sub.acme.example"), "o'brien@sub.acme.example");
    }

    #[test]
    fn rejects_malformed_addresses_with_a_message_naming_the_field() {
        assert_eq!(err(""), "Email: enter an email address.");
        assert!(err("dev").contains("is not a valid email address"));
        assert!(
            err("dev@acme").starts_with("Email:"),
            "single-label domains are not routable"
        );
        assert!(Email::parse("dev@acme.example.").is_err(), "trailing dot");
        assert!(Email::parse("dev.@acme.example").is_err(), "dot before @");
        assert!(Email::parse("a@b@acme.example").is_err());
        assert!(
            Email::parse("Dev <dev@acme.example>").is_err(),
            "display names are not addresses"
        );
        assert!(
            Email::parse("dev@[127.0.0.1]").is_err(),
            "no domain literals"
        );
    }

    #[test]
    fn enforces_the_smtp_length_limit() {
        let local = "a".repeat(64);
        let domain = format!("{}.example", "b".repeat(63));
        let mut long = format!("{local}@{domain}");
        while long.len() <= EMAIL_MAX_LEN {
            long = format!("{local}@c.{}", &long[local.len() + 1..]);
        }
        assert!(err(&long).contains("at most 254 characters"));
    }

    #[test]
    fn custom_labels_appear_in_messages() {
        let e = Email::parse_field(Field::Cc, "nope").unwrap_err();
        assert_eq!(e.field, "cc");
        assert!(e.message.starts_with("CC:"));
    }

    #[test]
    fn control_characters_are_refused_in_addresses_naming_the_field() {
        let e = Email::parse_field(Field::Cc, "\"dev\u{1b}[2J\"@acme.example").unwrap_err();
        assert_eq!(e.field, Field::Cc);
        assert_eq!(
            e.message,
            "CC: remove the invisible control character U+001B at character 5."
        );
        let e = Email::parse("dev\u{85}@acme.example").unwrap_err();
        assert!(e.message.contains("U+0085"), "{}", e.message);
    }

    #[test]
    fn single_line_fields_refuse_every_control_character_and_line_separator() {
        for c in [
            '\0', '\u{7}', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{9b}', '\u{2028}',
        ] {
            let text = format!("a{c}b");
            assert!(check_single_line(Field::Subject, &text).is_err(), "{c:?}");
        }
        assert_eq!(
            check_single_line(Field::Subject, "one\ntwo")
                .unwrap_err()
                .message,
            "Subject: keep it on one line; remove the line break at character 4."
        );
        assert_eq!(
            check_single_line(Field::Subject, "a\tb")
                .unwrap_err()
                .message,
            "Subject: remove the tab at character 2."
        );
        // Visible text of any script and emoji are text (right-to-left letters are ordered by
        // their own direction, without a control).
        assert!(
            check_single_line(
                Field::Subject,
                "Pg \u{fc}ber \u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{1f525} \u{627}\u{644}"
            )
            .is_ok()
        );
    }

    #[test]
    fn single_line_fields_refuse_every_bidirectional_control_naming_the_field() {
        let controls = [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}',
        ];
        for c in controls {
            let text = format!("invoice{c}fdp.exe");
            let e = check_single_line(Field::Subject, &text).unwrap_err();
            assert_eq!(e.field, Field::Subject);
            assert_eq!(
                e.message,
                format!(
                    "Subject: remove the invisible text direction character U+{:04X} at character 8.",
                    u32::from(c)
                )
            );
            // A multi-line field keeps them: a paragraph of mixed scripts may need them.
            assert!(check_multi_line(Field::Body, &text).is_ok(), "{c:?}");
        }
        // Their neighbours are text (a zero-width joiner holds an emoji sequence together).
        for c in ['\u{200d}', '\u{2070}', '\u{061b}', '\u{2065}'] {
            assert!(
                check_single_line(Field::Subject, &format!("a{c}b")).is_ok(),
                "{c:?}"
            );
        }
        let e = Email::parse_field(Field::Cc, "ops\u{202e}@acme.example").unwrap_err();
        assert!(e.message.contains("U+202E"), "{}", e.message);
    }

    #[test]
    fn multi_line_fields_keep_tabs_and_line_breaks_but_refuse_other_controls() {
        assert!(check_multi_line(Field::Description, "line 1\r\n\tat x.y(Z.java:1)\n").is_ok());
        for c in [
            '\0', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}',
        ] {
            let text = format!("log{c}");
            let e = check_multi_line(Field::Body, &text).unwrap_err();
            assert_eq!(e.field, Field::Body);
            assert!(
                e.message
                    .starts_with("Comment: remove the invisible control character U+"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<Email>(r#""x@y.example""#).is_ok());
        assert!(serde_json::from_str::<Email>(r#""nope""#).is_err());
    }
}
