//! JSON both ways, for the API's bodies and the drafts in local storage.
//!
//! Reading is a small serde `Deserializer` over the text, in the wasm module. It replaced `JSON.parse`
//! plus serde-wasm-bindgen, which crosses into JavaScript for every key and every string (each copied
//! into the module by wasm-bindgen's glue): about 40 ms of a 90 ms task for a ticket with 200 comments,
//! with a 4x slower CPU (a Chromium trace; docs/performance.md). serde_json would do the same work for
//! 2.6 KB more on the first visit (measured with scripts/check-size.sh), over the 150 KB goal.
//! Writing still goes through serde-wasm-bindgen and `JSON.stringify`: request bodies and drafts are small.
//!
//! What it reads: RFC 8259 JSON. Numbers are integers only: no wire type has a fraction (a number with
//! one, or with an exponent, fails the parse, unless it is in a field the type ignores).

use serde::Serialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

/// `text` as a `T`, if it is JSON of that shape (and nothing but whitespace follows it).
pub fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
    };
    let value = T::deserialize(&mut reader).ok()?;
    reader.skip_space();
    (reader.at == reader.text.len()).then_some(value)
}

/// `value` as JSON text.
pub fn stringify<T: Serialize>(value: &T) -> Option<String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value.serialize(&serializer).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// Why a parse failed does not matter to the callers (an answer of the wrong shape is an unexpected
/// answer), so the error carries nothing: no formatting code for messages nobody reads.
#[derive(Debug)]
struct Invalid;

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid JSON")
    }
}

impl std::error::Error for Invalid {}

impl de::Error for Invalid {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Invalid
    }
}

type Result<T> = std::result::Result<T, Invalid>;

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

enum Integer {
    Unsigned(u64),
    Signed(i64),
}

/// A string as read: borrowed from the text when it has no escapes, decoded otherwise.
enum Text<'a> {
    Borrowed(&'a str),
    Owned(String),
}

impl<'a> Reader<'a> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Result<u8> {
        self.skip_space();
        self.text.get(self.at).copied().ok_or(Invalid)
    }

    #[inline(never)]
    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek()? != byte {
            return Err(Invalid);
        }
        self.at += 1;
        Ok(())
    }

    #[inline(never)]
    fn keyword(&mut self, word: &[u8]) -> Result<()> {
        self.skip_space();
        if !self.text[self.at..].starts_with(word) {
            return Err(Invalid);
        }
        self.at += word.len();
        Ok(())
    }

    #[inline(never)]
    fn string(&mut self) -> Result<Text<'a>> {
        self.expect(b'"')?;
        let start = self.at;
        // Fast path: up to the closing quote with no escape, the text itself (it is already UTF-8).
        loop {
            match self.text.get(self.at) {
                Some(b'"') => {
                    let text =
                        std::str::from_utf8(&self.text[start..self.at]).map_err(|_| Invalid)?;
                    self.at += 1;
                    return Ok(Text::Borrowed(text));
                }
                Some(b'\\') => break,
                Some(0..0x20) | None => return Err(Invalid),
                Some(_) => self.at += 1,
            }
        }
        let mut out = std::str::from_utf8(&self.text[start..self.at])
            .map_err(|_| Invalid)?
            .to_owned();
        loop {
            let run = self.at;
            while let Some(&b) = self.text.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(std::str::from_utf8(&self.text[run..self.at]).map_err(|_| Invalid)?);
            match self.text.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Text::Owned(out));
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = *self.text.get(self.at).ok_or(Invalid)?;
                    self.at += 1;
                    out.push(match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(Invalid),
                    });
                }
                _ => return Err(Invalid),
            }
        }
    }

    /// The character of a `\uXXXX` escape (its `\u` read), with the second half of a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.text[self.at..].starts_with(b"\\u") {
                    return Err(Invalid);
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(Invalid);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            _ => first,
        };
        char::from_u32(code).ok_or(Invalid)
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.text.get(self.at..self.at + 4).ok_or(Invalid)?;
        self.at += 4;
        digits.iter().try_fold(0, |n, &d| {
            Ok(n * 16 + (d as char).to_digit(16).ok_or(Invalid)?)
        })
    }

    /// An integer: `-`, then `0` or a digit 1-9 and more digits. A fraction or an exponent fails.
    #[inline(never)]
    fn integer(&mut self) -> Result<Integer> {
        self.skip_space();
        let negative = self.text.get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut magnitude: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.text.get(self.at) {
            if self.at > start && self.text[start] == b'0' {
                return Err(Invalid); // a leading zero
            }
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or(Invalid)?;
            self.at += 1;
        }
        if self.at == start || matches!(self.text.get(self.at), Some(b'.' | b'e' | b'E')) {
            return Err(Invalid);
        }
        if !negative {
            return Ok(Integer::Unsigned(magnitude));
        }
        if magnitude > i64::MIN.unsigned_abs() {
            return Err(Invalid);
        }
        Ok(Integer::Signed((magnitude as i64).wrapping_neg()))
    }

    /// Past one value of any kind, checked as it goes (for the fields a type ignores).
    #[inline(never)]
    fn skip_value(&mut self) -> Result<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let (open, close) = if self.text[self.at] == b'{' {
                    (b'{', b'}')
                } else {
                    (b'[', b']')
                };
                self.expect(open)?;
                let mut first = true;
                while self.peek()? != close {
                    if !first {
                        self.expect(b',')?;
                    }
                    first = false;
                    if open == b'{' {
                        self.string()?;
                        self.expect(b':')?;
                    }
                    self.skip_value()?;
                }
                self.at += 1;
                Ok(())
            }
            b't' => self.keyword(b"true"),
            b'f' => self.keyword(b"false"),
            b'n' => self.keyword(b"null"),
            _ => {
                // A number, fraction and exponent included: its characters are skipped, not checked.
                let start = self.at;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') =
                    self.text.get(self.at)
                {
                    self.at += 1;
                }
                if self.at == start {
                    Err(Invalid)
                } else {
                    Ok(())
                }
            }
        }
    }
}

// The helpers above are not inlined, and each kind of value has its own method rather than everything going
// through `deserialize_any`: this code is instantiated once per wire type, in the chunk of each page that reads
// it, so only what a type can be is compiled into it.
impl<'de> Reader<'de> {
    fn visit_integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.integer()? {
            Integer::Unsigned(n) => visitor.visit_u64(n),
            Integer::Signed(n) => visitor.visit_i64(n),
        }
    }

    fn visit_string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.string()? {
            Text::Borrowed(text) => visitor.visit_borrowed_str(text),
            Text::Owned(text) => visitor.visit_string(text),
        }
    }

    fn visit_array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'[')?;
        let value = visitor.visit_seq(Items {
            reader: &mut *self,
            first: true,
        })?;
        self.expect(b']')?;
        Ok(value)
    }

    fn visit_object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'{')?;
        let value = visitor.visit_map(Items {
            reader: &mut *self,
            first: true,
        })?;
        self.expect(b'}')?;
        Ok(value)
    }

    fn visit_bool<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        if self.peek()? == b't' {
            self.keyword(b"true")?;
            visitor.visit_bool(true)
        } else {
            self.keyword(b"false")?;
            visitor.visit_bool(false)
        }
    }

    fn visit_null<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.keyword(b"null")?;
        visitor.visit_unit()
    }
}

/// Defines `deserialize_<kind>` methods that read one kind of value with `Reader::<visit>`.
macro_rules! read_as {
    ($visit:ident: $($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.$visit(visitor)
        })*
    };
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'n' => self.visit_null(visitor),
            b't' | b'f' => self.visit_bool(visitor),
            b'"' => self.visit_string(visitor),
            b'[' => self.visit_array(visitor),
            b'{' => self.visit_object(visitor),
            _ => self.visit_integer(visitor),
        }
    }

    read_as!(visit_integer: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64);
    read_as!(visit_string: deserialize_str deserialize_string deserialize_identifier deserialize_char);
    read_as!(visit_array: deserialize_seq);
    read_as!(visit_object: deserialize_map);
    read_as!(visit_bool: deserialize_bool);
    read_as!(visit_null: deserialize_unit);

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.visit_null(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.visit_array(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.visit_array(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.visit_object(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? == b'n' {
            self.keyword(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant is its name as a string; any other variant is `{"name": value}`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if self.peek()? == b'"' {
            return match self.string()? {
                Text::Borrowed(name) => visitor.visit_enum(name.into_deserializer()),
                Text::Owned(name) => visitor.visit_enum(name.into_deserializer()),
            };
        }
        self.expect(b'{')?;
        let value = visitor.visit_enum(Variant { reader: &mut *self })?;
        self.expect(b'}')?;
        Ok(value)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! { i128 u128 f32 f64 bytes byte_buf }
}

/// The items of an array or the entries of an object, with the commas between them.
struct Items<'r, 'de> {
    reader: &'r mut Reader<'de>,
    first: bool,
}

impl<'de> Items<'_, 'de> {
    /// Whether another item follows (its comma read), before `close`.
    fn more(&mut self, close: u8) -> Result<bool> {
        if self.reader.peek()? == close {
            return Ok(false);
        }
        if !std::mem::take(&mut self.first) {
            self.reader.expect(b',')?;
        }
        Ok(true)
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Invalid;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.more(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        // Keys are strings: read as one, whatever the seed asks for.
        if self.reader.peek()? != b'"' {
            return Err(Invalid);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.reader.expect(b':')?;
        seed.deserialize(&mut *self.reader)
    }
}

/// The `"name": value` inside `{...}` of a variant that carries data.
struct Variant<'r, 'de> {
    reader: &'r mut Reader<'de>,
}

impl<'r, 'de> de::EnumAccess<'de> for Variant<'r, 'de> {
    type Error = Invalid;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self)> {
        let name = seed.deserialize(&mut *self.reader)?;
        self.reader.expect(b':')?;
        Ok((name, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Invalid;

    fn unit_variant(self) -> Result<()> {
        self.reader.keyword(b"null")
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.reader)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.reader.visit_array(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.reader.visit_object(visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde::Deserialize;
    use serde_json::Value;

    /// What serde_json reads from `text`, as a `T`, compared with what `parse` reads (both as JSON values).
    fn same_as_serde_json<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) {
        let ours = parse::<T>(text).map(|v| serde_json::to_value(v).unwrap());
        let theirs = serde_json::from_str::<T>(text)
            .ok()
            .map(|v| serde_json::to_value(v).unwrap());
        assert_eq!(ours, theirs, "{text}");
    }

    #[test]
    fn strings_read_as_serde_json_reads_them() {
        let strings = [
            "plain",
            "",
            "quote \" backslash \\ slash / \u{8}\u{c}\n\r\t",
            "control \u{1} \u{1f}",
            "accents é ü, CJK 漢字, emoji 🎫 and 👩‍💻",
            "<script>alert(1)</script>",
        ];
        for s in strings {
            // As serde_json writes it, and with every non-ASCII character as \u escapes (as JSON.stringify
            // and other servers may).
            let written = serde_json::to_string(s).unwrap();
            let escaped: String = written
                .chars()
                .flat_map(|c| {
                    if c.is_ascii() {
                        vec![c.to_string()]
                    } else {
                        c.encode_utf16(&mut [0; 2])
                            .iter()
                            .map(|u| format!("\\u{u:04x}"))
                            .collect()
                    }
                })
                .collect();
            for text in [written, escaped] {
                assert_eq!(parse::<String>(&text).as_deref(), Some(s), "{text}");
            }
        }
    }

    #[test]
    fn malformed_text_is_none() {
        let bad = [
            "",
            "\"unterminated",
            "\"bad escape \\x\"",
            "\"lone surrogate \\ud83c\"",
            "\"raw control \u{1} in a string\"",
            "\"short \\u12\"",
            "01",
            "1.5",
            "1e3",
            "-",
            "18446744073709551616",
            "[1,]",
            "[1 2]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:1}",
            "nul",
            "truex",
            "\"ok\" trailing",
        ];
        for text in bad {
            assert!(parse::<Value>(text).is_none(), "{text} parsed");
            // serde_json agrees, except on the numbers it reads as floats.
            let float = ["1.5", "1e3", "18446744073709551616"].contains(&text);
            assert!(
                serde_json::from_str::<Value>(text).is_err() || float,
                "{text}"
            );
        }
    }

    #[test]
    fn numbers_at_the_edges_of_their_types() {
        assert_eq!(parse::<i64>("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse::<i64>("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse::<u64>("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse::<i64>("-9223372036854775809"), None);
        assert_eq!(parse::<u8>("256"), None);
        assert_eq!(parse::<u32>("-1"), None);
        assert_eq!(parse::<i32>(" -0 "), Some(0));
    }

    #[derive(Debug, PartialEq, Deserialize, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(u32),
        Pair(u8, String),
        Named { x: i64 },
    }

    #[derive(Debug, PartialEq, Deserialize, serde::Serialize)]
    struct Everything {
        text: String,
        number: i64,
        flag: bool,
        maybe: Option<u32>,
        list: Vec<Option<String>>,
        shapes: Vec<Shape>,
        #[serde(default)]
        missing: Vec<u8>,
    }

    #[test]
    fn structs_enums_options_lists_and_ignored_fields() {
        let text = r#" {
            "ignored": {"deep": [1.5e3, -2, "x", null, true, {"k": []}]},
            "text": "a\"b", "number": -42, "flag": true, "maybe": null,
            "list": ["one", null, "three"],
            "shapes": ["unit", {"newtype": 7}, {"pair": [1, "p"]}, {"named": {"x": -1}}],
            "also_ignored": 3.25
        } "#;
        let parsed = parse::<Everything>(text).expect("parses");
        assert_eq!(
            parsed,
            Everything {
                text: "a\"b".into(),
                number: -42,
                flag: true,
                maybe: None,
                list: vec![Some("one".into()), None, Some("three".into())],
                shapes: vec![
                    Shape::Unit,
                    Shape::Newtype(7),
                    Shape::Pair(1, "p".into()),
                    Shape::Named { x: -1 }
                ],
                missing: vec![],
            }
        );
        same_as_serde_json::<Everything>(text);
        // A required field missing, or of the wrong type, is no value.
        assert!(parse::<Everything>(r#"{"text": "a"}"#).is_none());
        same_as_serde_json::<Everything>(
            r#"{"text": 1, "number": 1, "flag": true, "maybe": 1, "list": [], "shapes": []}"#,
        );
    }
}
