//! Numbers as people read them in messages and labels: one formatter for each kind, shared by every
//! message that shows a limit.

/// `32000` -> `32,000`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `950 B`, `12.5 KB`, `25 MB`, `10 GB` (binary multiples, as file managers show them).
pub fn format_bytes(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    const GB: u64 = 1024 * MB;
    let (value, unit) = match bytes {
        b if b < KB => return format!("{b} B"),
        b if b < MB => (b * 10 / KB, "KB"),
        b if b < GB => (b * 10 / MB, "MB"),
        // Storage quotas.
        b => (b / (GB / 10), "GB"),
    };
    if value.is_multiple_of(10) {
        format!("{} {unit}", value / 10)
    } else {
        format!("{}.{} {unit}", value / 10, value % 10)
    }
}

/// `123456` cents -> `USD 1,234.56`.
pub fn format_usd(cents: u64) -> String {
    format!("USD {}.{:02}", group_thousands(cents / 100), cents % 100)
}

/// Hundredths of a percent as a percentage: `450` -> `4.5%`, `1000` -> `10%`, `1025` -> `10.25%`.
pub fn format_basis_points(basis_points: u32) -> String {
    let (whole, frac) = (basis_points / 100, basis_points % 100);
    match frac {
        0 => format!("{whole}%"),
        f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_numbers_read_naturally() {
        assert_eq!(format_bytes(950), "950 B");
        assert_eq!(format_bytes(12_800), "12.5 KB");
        assert_eq!(format_bytes(25 * 1024 * 1024), "25 MB");
        assert_eq!(format_bytes(10 * 1024 * 1024 * 1024), "10 GB");
        assert_eq!(format_bytes(1536 * 1024 * 1024), "1.5 GB");
        assert_eq!(group_thousands(32_000), "32,000");
        assert_eq!(group_thousands(255), "255");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(group_thousands(0), "0");
    }

    #[test]
    fn formats_dollars() {
        assert_eq!(format_usd(0), "USD 0.00");
        assert_eq!(format_usd(50_000), "USD 500.00");
        assert_eq!(format_usd(123_456_789), "USD 1,234,567.89");
    }

    #[test]
    fn formats_percentages() {
        assert_eq!(format_basis_points(450), "4.5%");
        assert_eq!(format_basis_points(1000), "10%");
        assert_eq!(format_basis_points(1_025), "10.25%");
        assert_eq!(format_basis_points(5), "0.05%");
    }
}
