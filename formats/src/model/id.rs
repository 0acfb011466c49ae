//! Trace and span ids: 128 and 64 bits, parsed from hex of either case, shown as lowercase hex.

use std::fmt;

/// A 128-bit trace id. Zero is invalid on the wire; 64-bit ids (old Zipkin) have the high half zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TraceId(pub u128);

/// A 64-bit span id. Zero is invalid on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SpanId(pub u64);

/// Why a hex id could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// The text has a length the id type does not allow.
    Length {
        /// The lengths allowed, in words (`"32 (or 16)"`).
        expected: &'static str,
        /// The length of the text, in bytes.
        found: usize,
    },
    /// A character that is not a hex digit, at this byte offset.
    NotHex {
        /// The byte offset of the character in the text.
        offset: usize,
    },
    /// The id is all zeros, which every format treats as invalid.
    Zero,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Length { expected, found } => {
                write!(
                    f,
                    "expected {expected} hex digits, found {found} characters"
                )
            }
            IdError::NotHex { offset } => write!(f, "not a hex digit at character {offset}"),
            IdError::Zero => write!(f, "id is all zeros"),
        }
    }
}

impl std::error::Error for IdError {}

/// Parses hex digits of either case into a u128; `text` must be at most 32 digits.
fn parse_hex(text: &str) -> Result<u128, IdError> {
    let mut value: u128 = 0;
    for (offset, byte) in text.bytes().enumerate() {
        let digit = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'f' => byte - b'a' + 10,
            b'A'..=b'F' => byte - b'A' + 10,
            _ => return Err(IdError::NotHex { offset }),
        };
        value = (value << 4) | u128::from(digit);
    }
    Ok(value)
}

impl TraceId {
    /// The invalid all-zero id.
    pub const INVALID: TraceId = TraceId(0);

    /// Parses 32 hex digits, or 16 (a 64-bit Zipkin id), in either case.
    ///
    /// ```
    /// use spindle_formats::TraceId;
    /// let id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert_eq!(TraceId::from_hex("00f067aa0ba902b7").unwrap().0, 0x00f067aa0ba902b7);
    /// assert!(TraceId::from_hex("00000000000000000000000000000000").is_err());
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, IdError> {
        if text.len() != 32 && text.len() != 16 {
            return Err(IdError::Length {
                expected: "32 (or 16)",
                found: text.len(),
            });
        }
        match parse_hex(text)? {
            0 => Err(IdError::Zero),
            v => Ok(TraceId(v)),
        }
    }

    /// True unless the id is all zeros.
    pub fn is_valid(self) -> bool {
        self.0 != 0
    }

    /// The low 64 bits, which trace-id-ratio samplers decide on.
    pub fn low64(self) -> u64 {
        self.0 as u64
    }

    /// The id as 16 big-endian bytes (OTLP, W3C byte order).
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }
}

impl SpanId {
    /// The invalid all-zero id.
    pub const INVALID: SpanId = SpanId(0);

    /// Parses exactly 16 hex digits in either case.
    ///
    /// ```
    /// use spindle_formats::SpanId;
    /// assert_eq!(SpanId::from_hex("00F067AA0BA902B7").unwrap().to_string(), "00f067aa0ba902b7");
    /// assert!(SpanId::from_hex("0000000000000000").is_err());
    /// assert!(SpanId::from_hex("abc").is_err());
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, IdError> {
        if text.len() != 16 {
            return Err(IdError::Length {
                expected: "16",
                found: text.len(),
            });
        }
        match parse_hex(text)? {
            0 => Err(IdError::Zero),
            v => Ok(SpanId(v as u64)),
        }
    }

    /// True unless the id is all zeros.
    pub fn is_valid(self) -> bool {
        self.0 != 0
    }

    /// The id as 8 big-endian bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_bad_text_with_the_reason() {
        assert_eq!(
            TraceId::from_hex("xyz"),
            Err(IdError::Length {
                expected: "32 (or 16)",
                found: 3
            })
        );
        assert_eq!(
            SpanId::from_hex("00f067aa0ba902bg"),
            Err(IdError::NotHex { offset: 15 })
        );
        assert_eq!(SpanId::from_hex("0000000000000000"), Err(IdError::Zero));
    }
}
