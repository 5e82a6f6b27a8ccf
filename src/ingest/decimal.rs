//! An exact fast path for the plain decimal scores machine exports write (`89.1`, `-3`, `0.25`).
//!
//! A decimal with a mantissa `m` of at most 2^53 and `s` digits after the point is `m / 10^s` with
//! both operands exactly representable as `f64` (10^s is exact up to s = 22), so one IEEE division
//! rounds it correctly: the same value `str::parse::<f64>` (also correctly rounded) returns
//! (Clinger's fast path). Anything else — exponents, a leading `+`, `.5`, `5.`, `inf`, long
//! mantissas, non-ASCII — is left to `str::parse`.

/// Powers of ten that are exact in `f64`, for up to [`MAX_DIGITS`] digits after the point.
const POW10: [f64; 17] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
];

/// At most this many digits: the mantissa stays below 10^17 (no `u64` overflow), and is checked
/// against 2^53.
const MAX_DIGITS: usize = 16;

/// `bytes` as `-?[0-9]+(\.[0-9]+)?` with at most [`MAX_DIGITS`] digits and a mantissa of at most
/// 2^53, correctly rounded; `None` for anything else (the caller then uses `str::parse`).
#[inline]
pub(crate) fn parse_plain(bytes: &[u8]) -> Option<f64> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > MAX_DIGITS + 1 {
        return None;
    }
    let mut mantissa = 0u64;
    let mut point = None;
    for (i, &b) in digits.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && point.is_none() && i > 0 && i + 1 < digits.len() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let scale = match point {
        Some(i) => digits.len() - i - 1,
        None if digits.len() > MAX_DIGITS => return None,
        None => 0,
    };
    if mantissa > 1 << 53 {
        return None;
    }
    let value = mantissa as f64 / POW10[scale];
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn std_parse(bytes: &[u8]) -> Option<f64> {
        std::str::from_utf8(bytes).ok()?.parse().ok()
    }

    #[test]
    fn plain_decimals_and_what_is_left_to_std() {
        for (text, expected) in [
            ("89.1", Some(89.1)),
            ("0", Some(0.0)),
            ("-3", Some(-3.0)),
            ("007.50", Some(7.5)),
            ("0.1", Some(0.1)),
            ("9007199254740992", Some(9_007_199_254_740_992.0)),
            ("0.000000000000001", Some(1e-15)),
            ("0.0000000000000001", None), // 17 digits
            ("9007199254740993", None),   // above 2^53
            ("12345678901234567", None),  // 17 digits
            ("1.2345678901234567", None),
            ("", None),
            ("-", None),
            (".5", None),
            ("5.", None),
            ("+5", None),
            ("1e3", None),
            ("1.2.3", None),
            ("--1", None),
            ("inf", None),
            ("NaN", None),
            (" 1", None),
            ("1,5", None),
            ("٣", None),
        ] {
            assert_eq!(parse_plain(text.as_bytes()), expected, "{text:?}");
        }
        let negative_zero = parse_plain(b"-0.0").unwrap();
        assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
    }

    proptest! {
        /// Whatever the fast path accepts, it reads exactly as `str::parse` does.
        #[test]
        fn agrees_with_std_parse(
            text in "-?[0-9]{0,18}(\\.[0-9]{0,18})?|[-+.eE0-9]{0,8}",
        ) {
            if let Some(fast) = parse_plain(text.as_bytes()) {
                let slow = std_parse(text.as_bytes());
                prop_assert_eq!(Some(fast.to_bits()), slow.map(f64::to_bits), "{}", text);
            }
        }

        #[test]
        fn accepts_short_plain_decimals(int in 0u64..10_000_000, frac in 0u64..1_000_000, neg: bool) {
            let text = format!("{}{int}.{frac:06}", if neg { "-" } else { "" });
            let fast = parse_plain(text.as_bytes());
            prop_assert_eq!(fast.map(f64::to_bits), std_parse(text.as_bytes()).map(f64::to_bits));
        }
    }
}
