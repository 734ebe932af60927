//! The CC list of a new ticket: splitting what people type, and the rules each address must pass.

use crate::field::Field;
use crate::validate::{Email, FieldError};

/// Most CC addresses on one ticket.
pub const CC_MAX: usize = 48;

/// "CC: a ticket can have at most 48 addresses.", when one more address does not fit.
pub fn cc_list_full() -> FieldError {
    FieldError::new(
        Field::Cc,
        format!("CC: a ticket can have at most {CC_MAX} addresses."),
    )
}

/// Splits what someone typed or pasted into a CC field into candidate addresses: spaces, commas,
/// semicolons and new lines all separate.
pub fn split_addresses(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
}

/// Checks one CC address against the ones already on the list: valid syntax, not the submitter (who
/// gets every update anyway), not a duplicate, and room left under [`CC_MAX`].
pub fn check_cc_address(
    existing: &[Email],
    input: &str,
    submitter: &str,
) -> Result<Email, FieldError> {
    let email = Email::parse_field(Field::Cc, input)?;
    if email.as_str().eq_ignore_ascii_case(submitter.trim()) {
        return Err(FieldError::new(
            Field::Cc,
            format!(
                "CC: {email} is your own address. You get every update as the submitter, so there is no need to CC yourself."
            ),
        ));
    }
    if existing.contains(&email) {
        return Err(FieldError::new(
            Field::Cc,
            format!("CC: {email} is already on the list."),
        ));
    }
    if existing.len() >= CC_MAX {
        return Err(cc_list_full());
    }
    Ok(email)
}

/// Parses a whole CC list, one address at a time, stopping at the first problem.
pub fn parse_cc(addresses: &[String], submitter: &str) -> Result<Vec<Email>, FieldError> {
    if addresses.len() > CC_MAX {
        return Err(FieldError::new(
            Field::Cc,
            format!(
                "CC: a ticket can have at most {CC_MAX} addresses; this one has {}.",
                addresses.len()
            ),
        ));
    }
    let mut list = Vec::with_capacity(addresses.len());
    for address in addresses {
        let email = check_cc_address(&list, address, submitter)?;
        list.push(email);
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "dev@acme.example";

    #[test]
    fn cc_accepts_odd_but_valid_addresses() {
        let list = parse_cc(
            &[
                "ops+support@acme.example".into(),
                "\"on call\"@acme.example".into(),
                "user@b\u{fc}cher.example".into(),
            ],
            ME,
        )
        .unwrap();
        assert_eq!(list.len(), 3);
    }

    #[test]
    fn cc_rejects_bad_duplicate_own_and_overlong_addresses() {
        let bad = parse_cc(&["ops@acme.example.".into()], ME).unwrap_err();
        assert!(
            bad.message
                .starts_with("CC: \u{201c}ops@acme.example.\u{201d} is not a valid")
        );
        let twice = parse_cc(&["a@acme.example".into(), "A@acme.example".into()], ME).unwrap_err();
        assert_eq!(twice.message, "CC: a@acme.example is already on the list.");
        let own = parse_cc(&["DEV@acme.example".into()], ME).unwrap_err();
        assert!(own.message.contains("is your own address"));
        let long = format!("{}@{}.example", "a".repeat(64), "b".repeat(200));
        assert!(
            parse_cc(&[long], ME)
                .unwrap_err()
                .message
                .contains("at most 254")
        );
    }

    #[test]
    fn cc_allows_48_addresses_and_no_more() {
        let list: Vec<String> = (0..48).map(|i| format!("p{i}@acme.example")).collect();
        assert_eq!(parse_cc(&list, ME).unwrap().len(), 48);
        let mut over = list.clone();
        over.push("p48@acme.example".into());
        assert_eq!(
            parse_cc(&over, ME).unwrap_err().message,
            "CC: a ticket can have at most 48 addresses; this one has 49."
        );
        let existing: Vec<Email> = list.iter().map(|s| Email::parse(s).unwrap()).collect();
        assert!(
            check_cc_address(&existing, "p48@acme.example", ME)
                .unwrap_err()
                .message
                .contains("at most 48")
        );
        assert_eq!(
            cc_list_full().message,
            "CC: a ticket can have at most 48 addresses."
        );
    }

    #[test]
    fn cc_text_splits_on_spaces_commas_semicolons_and_new_lines() {
        let parts: Vec<&str> =
            split_addresses(" a@x.example, b@x.example;c@x.example\n\td@x.example  ").collect();
        assert_eq!(
            parts,
            ["a@x.example", "b@x.example", "c@x.example", "d@x.example"]
        );
    }
}
