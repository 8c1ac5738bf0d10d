//! Numbers as reports print them, written straight into the text being built.
//!
//! Every finding and explanation prints several numbers (a value, a threshold, points), and
//! formatting each into its own `String` first was most of a leaf's cost. These are
//! `Display` values: `format!("{} 扣 {} 分", Value::new(..), Pts(lost))` builds one string.
//! The text is exactly that of `format!("{v:.N}")` (and `Decimal`'s display for points):
//! the integer route is taken only where it is provably identical, everything else (ties,
//! huge values, negative zeros) goes through the standard formatter.

pub(crate) mod intern;
use rust_decimal::prelude::{Decimal, RoundingStrategy, ToPrimitive};
use std::fmt::{self, Display, Formatter, Write};

/// `x.round() as i64` (half away from zero) for |x| < 2⁶², without a libm call: baseline
/// x86-64 has no rounding instruction (that is SSE4.1), so `f64::round` is a function call,
/// and this runs for every score and number printed. Exact: truncation to `i64` is exact in
/// that range, and so is `x − trunc(x)`.
pub(crate) fn round_i64(x: f64) -> Option<i64> {
    if x.is_nan() || x.abs() >= 4.6e18 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)] // |x| < 2⁶²
    let whole = x as i64;
    #[allow(clippy::cast_precision_loss)] // `whole` is a float's integral part: exact
    let frac = x - whole as f64;
    Some(if frac >= 0.5 {
        whole + 1
    } else if frac <= -0.5 {
        whole - 1
    } else {
        whole
    })
}

/// The decimal places at which a value is printed, compared and scored: a rate to 0.01 % is
/// four places of its fraction, and a plain number prints at most four.
pub(crate) const VALUE_PLACES: u32 = 4;

/// `x` as reports print it: to [`VALUE_PLACES`] decimals, half away from zero, after first
/// dropping floating point's binary noise at 9 places (as scores are rounded). A KPI is kept
/// this way and a helper compares and scores its subject this way, so 1575.36 / 1750.40,
/// which binary floating point makes 0.8999999999999999, is 0.9 and reaches a 90 %
/// threshold, and 89.996 % — printed "90.00%" — reaches it too: the tier a text names is
/// always the tier of the number it prints. The result is the double nearest that decimal,
/// the same double a threshold written with those digits parses to, so comparing doubles
/// compares the decimals.
pub(crate) fn as_printed(x: f64) -> f64 {
    // In integers below 9 × 10⁶: rates, counts, money in 万元.
    if let Some(units) = decimal_units(x, VALUE_PLACES) {
        #[allow(clippy::cast_precision_loss)] // |units| < 9 × 10¹⁰: exact
        return units as f64 / 10_000.0;
    }
    as_printed_large(x)
}

/// `x` in units of 10^-`places` (`places` ≤ 9): floating point's noise cut at 9 places, then
/// half away from zero. The rule of scores and of values as printed, in integers while that is
/// exact (|x| < 9 × 10⁶, so x × 10⁹ stays below 2⁵³); `None` beyond, and for NaN and
/// infinities, where [`rounded`] applies the same rule in `Decimal`.
fn decimal_units(x: f64, places: u32) -> Option<i64> {
    if x.abs() >= 9.0e6 {
        return None;
    }
    let nanos = round_i64(x * 1e9)?;
    let unit = 10_i64.pow(9 - places);
    Some((nanos + unit / 2 * nanos.signum()) / unit)
}

/// [`as_printed`] beyond its integer route, out of line: rare, and inlined at every call it
/// would copy `Decimal`'s rounding into each.
#[cold]
#[inline(never)]
fn as_printed_large(x: f64) -> f64 {
    rounded(x, VALUE_PLACES)
        .and_then(|d| d.to_f64())
        .unwrap_or(x)
}

/// `x` rounded half away from zero to `places`, after first cutting floating point's noise
/// at 9 places, in `Decimal`: the rule of [`as_printed`] and of scores, for the values beyond
/// their integer routes. `None` for NaN, infinities and beyond `Decimal`'s range.
pub(crate) fn rounded(x: f64, places: u32) -> Option<Decimal> {
    Decimal::from_f64_retain(x).map(|d| {
        d.round_dp_with_strategy(9, RoundingStrategy::MidpointNearestEven)
            .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// 10^decimals for the integer route (≤ 4 places), as the factor it scales by.
const SCALES: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];

/// `v` with `decimals` (≤ 4) places as (negative, its digits as one integer: 92.30 is 9230),
/// when integers give the same digits as the exact float formatter.
#[inline]
fn fixed_parts(v: f64, decimals: usize) -> Option<(bool, u64)> {
    let &scale = SCALES.get(decimals)?;
    let scaled = v * scale;
    if !scaled.is_finite() || scaled.abs() >= 1e15 || (v <= 0.0 && scaled > -0.5) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)] // |scaled| < 10¹⁵
    let whole = scaled as i64;
    #[allow(clippy::cast_precision_loss)] // a float's integral part: exact
    let frac = scaled - whole as f64;
    if (frac.abs() - 0.5).abs() < 1e-6 {
        return None;
    }
    // `round_i64(scaled)`, whose checks and truncation are already done here.
    let rounded = if frac >= 0.5 {
        whole + 1
    } else if frac <= -0.5 {
        whole - 1
    } else {
        whole
    };
    Some((rounded < 0, rounded.unsigned_abs()))
}

/// "00" to "99": digits go into a text two at a time, as `str`s, so there is neither a
/// per-character push nor a UTF-8 check of a byte buffer (safe code cannot skip that check).
const PAIRS: &str = "\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// The two digits of `n` (< 100).
fn pair(n: u64) -> &'static str {
    let i = usize::try_from(n).unwrap_or(0) * 2;
    PAIRS.get(i..i + 2).unwrap_or("00")
}

/// The digit `n` (< 10), ASCII by construction (a one-byte push).
fn digit(n: u64) -> char {
    char::from(b'0' + u8::try_from(n % 10).unwrap_or(0))
}

/// `whole` in decimal: one or two digits inline (nearly every number printed), larger ones
/// two digits at a time from the front. Inlined: as a call, saving and restoring registers
/// for the rare recursion cost more than writing the digits.
#[inline]
fn write_whole<W: Write>(f: &mut W, whole: u64) -> fmt::Result {
    if whole < 10 {
        f.write_char(digit(whole))
    } else if whole < 100 {
        f.write_str(pair(whole))
    } else {
        write_large(f, whole)
    }
}

#[inline(never)]
fn write_large<W: Write>(f: &mut W, whole: u64) -> fmt::Result {
    write_whole(f, whole / 100)?;
    f.write_str(pair(whole % 100))
}

/// `write_parts` for 2 decimals (percentages, points: most numbers printed), with the
/// split and the trim written out for that case. "-1.01", "2.50" or, trimmed, "2.5", "5".
#[inline]
fn write_hundredths<W: Write>(f: &mut W, neg: bool, digits: u64, trim: bool) -> fmt::Result {
    if neg {
        f.write_char('-')?;
    }
    write_whole(f, digits / 100)?;
    match digits % 100 {
        0 if trim => Ok(()),
        frac if trim && frac.is_multiple_of(10) => {
            f.write_char('.')?;
            f.write_char(digit(frac / 10))
        }
        frac => {
            f.write_char('.')?;
            f.write_str(pair(frac))
        }
    }
}

/// Write `neg`, and `digits` (as [`fixed_parts`] gives them) with the last `decimals`
/// (≤ 4) after the point; with `trim`, trailing zeros and a bare point dropped.
fn write_parts<W: Write>(
    f: &mut W,
    neg: bool,
    digits: u64,
    decimals: usize,
    trim: bool,
) -> fmt::Result {
    // Constant divisors, not 10^decimals: a division by a variable is a real divide.
    let (whole, mut frac) = match decimals {
        0 => (digits, 0),
        1 => (digits / 10, digits % 10),
        2 => (digits / 100, digits % 100),
        3 => (digits / 1_000, digits % 1_000),
        _ => (digits / 10_000, digits % 10_000),
    };
    let mut decimals = decimals.min(4);
    if trim {
        if frac == 0 {
            // A whole number (a threshold of 95%, points of 5): no digit-by-digit trim.
            decimals = 0;
        }
        while decimals > 0 && frac.is_multiple_of(10) {
            frac /= 10;
            decimals -= 1;
        }
    }
    if neg {
        f.write_char('-')?;
    }
    write_whole(f, whole)?;
    match decimals {
        0 => Ok(()),
        1 => {
            f.write_char('.')?;
            f.write_char(digit(frac))
        }
        2 => {
            f.write_char('.')?;
            f.write_str(pair(frac))
        }
        3 => {
            f.write_char('.')?;
            f.write_char(digit(frac / 100))?;
            f.write_str(pair(frac % 100))
        }
        _ => {
            f.write_char('.')?;
            f.write_str(pair(frac / 100))?;
            f.write_str(pair(frac % 100))
        }
    }
}

/// `format!("{v:.decimals$}")`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fixed(pub f64, pub usize);

impl Fixed {
    pub(crate) fn write_to<W: Write>(&self, f: &mut W) -> fmt::Result {
        let Fixed(v, decimals) = *self;
        match fixed_parts(v, decimals) {
            Some((neg, digits)) if decimals == 2 => write_hundredths(f, neg, digits, false),
            Some((neg, digits)) => write_parts(f, neg, digits, decimals, false),
            None => write!(f, "{v:.decimals$}"),
        }
    }
}

/// `format!("{v:.decimals$}")` with trailing zeros and a bare point trimmed: 0.5, 92.3, 12.
/// With `fix_neg_zero`, a result of "-0" prints as "0".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trimmed {
    v: f64,
    decimals: usize,
    fix_neg_zero: bool,
}

impl Trimmed {
    pub(crate) fn write_to<W: Write>(&self, f: &mut W) -> fmt::Result {
        let Trimmed {
            v,
            decimals,
            fix_neg_zero,
        } = *self;
        match fixed_parts(v, decimals) {
            // A negative rounded value is never zero here, so "-0" cannot arise.
            Some((neg, digits)) if decimals == 2 => write_hundredths(f, neg, digits, true),
            Some((neg, digits)) => write_parts(f, neg, digits, decimals, true),
            None => {
                let s = format!("{v:.decimals$}");
                let s = if decimals > 0 {
                    s.trim_end_matches('0').trim_end_matches('.')
                } else {
                    &s
                };
                f.write_str(if fix_neg_zero && s == "-0" { "0" } else { s })
            }
        }
    }
}

/// A plain number to at most 4 decimals: 0.5, 98694.55, 12.
pub(crate) fn trim_num(v: f64) -> Trimmed {
    Trimmed {
        v,
        decimals: 4,
        fix_neg_zero: true,
    }
}

/// A fraction as a percent with at most two decimals: 86.67%, 80%.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PercentTrimmed(pub f64);

impl PercentTrimmed {
    pub(crate) fn write_to<W: Write>(&self, f: &mut W) -> fmt::Result {
        Trimmed {
            v: self.0 * 100.0,
            decimals: 2,
            fix_neg_zero: false,
        }
        .write_to(f)?;
        f.write_char('%')
    }
}

/// Points as a report prints them (a score rounded half-up to 2 places, trailing zeros
/// dropped): "4.6", "5", "13.13".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pts(pub f64);

impl Pts {
    pub(crate) fn write_to<W: Write>(&self, f: &mut W) -> fmt::Result {
        Points::new(self.0).write_to(f)
    }
}

/// [`Pts`] with its hundredths worked out once, for points that are both printed and
/// recorded as a finding's deduction (which rounds them the same way).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Points {
    x: f64,
    /// `score_cents(x)`.
    cents: Option<i64>,
}

impl Points {
    pub(crate) fn new(x: f64) -> Points {
        Points {
            x,
            cents: score_cents(x),
        }
    }

    /// `round_score(x)`.
    pub(crate) fn decimal(self) -> rust_decimal::Decimal {
        match self.cents {
            Some(cents) => decimal_of_cents(cents),
            None => round_score(self.x),
        }
    }

    pub(crate) fn write_to<W: Write>(&self, f: &mut W) -> fmt::Result {
        match self.cents {
            Some(cents) => write_hundredths(f, cents < 0, cents.unsigned_abs(), true),
            None => write!(f, "{}", round_score(self.x)),
        }
    }
}

/// A value as a report prints it: 92.30%, 98694.55万元, 12.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value<'a> {
    pub v: f64,
    pub fmt: ValueFmt,
    pub unit: Option<&'a str>,
}

impl Value<'_> {
    pub(crate) fn write_to<W: Write>(&self, f: &mut W) -> fmt::Result {
        match self.fmt {
            ValueFmt::Percent => {
                Fixed(self.v * 100.0, 2).write_to(f)?;
                f.write_char('%')
            }
            ValueFmt::Integer => {
                // A whole float below 10¹⁵ displays as its integer's digits ("-0" for
                // negative zero), with no exponent or point.
                let magnitude = self.v.abs();
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // < 10¹⁵
                let whole = magnitude as u64;
                #[allow(clippy::cast_precision_loss)] // < 10¹⁵: exact
                if magnitude < 1e15 && whole as f64 == magnitude {
                    if self.v.is_sign_negative() {
                        f.write_char('-')?;
                    }
                    write_whole(f, whole)
                } else {
                    write!(f, "{}", self.v)
                }
            }
            ValueFmt::Number | ValueFmt::Other => {
                trim_num(self.v).write_to(f)?;
                match self.unit {
                    Some(u) => f.write_str(u),
                    None => Ok(()),
                }
            }
        }
    }
}

/// A threshold in its subject's scale, trimmed: 95%, 0.5.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Threshold<'a>(pub Value<'a>);

impl Threshold<'_> {
    pub(crate) fn write_to<W: Write>(&self, f: &mut W) -> fmt::Result {
        match self.0.fmt {
            ValueFmt::Percent => {
                trim_num(self.0.v * 100.0).write_to(f)?;
                f.write_char('%')
            }
            _ => self.0.write_to(f),
        }
    }
}

/// A part of a text built with [`cat!`](crate::cat): strings and the number formats above,
/// pushed straight into the `String` with no `fmt` machinery in between (findings are
/// built for nearly every leaf of every project, and `format!` was most of their cost).
pub(crate) trait Piece {
    fn push_to(&self, out: &mut String);
    /// Bytes this piece is expected to push, for sizing the text before it is built: exact
    /// for texts, [`NUMBER_BYTES`] for a number. A longer text only grows the `String`.
    fn size_hint(&self) -> usize {
        NUMBER_BYTES
    }
}

/// What a number is expected to print as, at most, for [`Piece::size_hint`]: "-1234.56",
/// "100.00%"; nearly every value, threshold and score in a report fits.
pub(crate) const NUMBER_BYTES: usize = 8;

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
    fn size_hint(&self) -> usize {
        self.len()
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
    fn size_hint(&self) -> usize {
        self.len()
    }
}

impl Piece for rhai::ImmutableString {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
    fn size_hint(&self) -> usize {
        self.len()
    }
}

/// As Rhai prints it: a string as it is, anything else through its `Display`.
impl Piece for rhai::Dynamic {
    fn push_to(&self, out: &mut String) {
        match self.read_lock::<rhai::ImmutableString>() {
            Some(text) => out.push_str(&text),
            None => {
                let _ = write!(out, "{self}");
            }
        }
    }
    fn size_hint(&self) -> usize {
        self.read_lock::<rhai::ImmutableString>()
            .map_or(NUMBER_BYTES, |text| text.len())
    }
}

impl Piece for usize {
    fn push_to(&self, out: &mut String) {
        out.push_str(itoa::Buffer::new().format(*self));
    }
}

/// Texts with a separator between them, pushed without joining them first.
pub(crate) struct Joined<'a, T: AsRef<str>>(pub &'a [T], pub &'a str);

impl<T: AsRef<str>> Piece for Joined<'_, T> {
    fn push_to(&self, out: &mut String) {
        for (i, text) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(self.1);
            }
            out.push_str(text.as_ref());
        }
    }
    fn size_hint(&self) -> usize {
        let texts: usize = self.0.iter().map(|text| text.as_ref().len()).sum();
        texts + self.1.len() * self.0.len().saturating_sub(1)
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
    fn size_hint(&self) -> usize {
        (**self).size_hint()
    }
}

/// `Display` and [`Piece`] for the number formats, both through their `write_to`: into a
/// `Formatter`, or straight into the `String` a text is built in.
macro_rules! number_formats {
    ($($t:ty),*) => {$(
        impl Display for $t {
            fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
                self.write_to(f)
            }
        }
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                // Writing to a `String` cannot fail.
                let _ = self.write_to(out);
            }
        }
    )*};
}
number_formats!(
    Fixed,
    Trimmed,
    PercentTrimmed,
    Pts,
    Points,
    Value<'_>,
    Threshold<'_>
);

/// Concatenate [`Piece`]s into a new `String`: `cat!(label, " ", value, "，扣 ", pts, " 分")`.
/// The `String` is allocated once, sized by the pieces' [`Piece::size_hint`]s, and the
/// pieces are written straight into it, with no `fmt` machinery in between. Each piece is
/// evaluated once. It carries the speed: every helper's texts written with `format!` instead
/// measured bench40 99.8k → 133.6k instructions per evaluation (+34 %), gov-it-post +35 %.
macro_rules! cat {
    ($($piece:expr),+ $(,)?) => {
        $crate::text::cat!(@bind [] $($piece),+)
    };
    // Each piece bound to its own `piece` (hygiene keeps them apart), then sized and pushed.
    (@bind [$($bound:ident)*] $head:expr $(, $rest:expr)*) => {{
        let piece = &$head;
        $crate::text::cat!(@bind [$($bound)* piece] $($rest),*)
    }};
    (@bind [$($bound:ident)*]) => {{
        let mut text =
            String::with_capacity(0 $( + $crate::text::Piece::size_hint($bound) )*);
        $( $crate::text::Piece::push_to($bound, &mut text); )*
        text
    }};
}
pub(crate) use cat;

/// The language of generated explanations and findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN", alias = "zh")]
    Zh,
    #[serde(rename = "en")]
    En,
}

/// How a value prints: a rate as a percent, a count as an integer, else a trimmed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueFmt {
    Number,
    Percent,
    Integer,
    Other,
}

impl ValueFmt {
    pub fn of_input(t: crate::model::InputType) -> Self {
        match t {
            crate::model::InputType::Number => ValueFmt::Number,
            crate::model::InputType::Percent | crate::model::InputType::Grade => ValueFmt::Percent,
            crate::model::InputType::Integer => ValueFmt::Integer,
            _ => ValueFmt::Other,
        }
    }
    pub fn of_kpi(f: crate::model::KpiFormat) -> Self {
        match f {
            crate::model::KpiFormat::Number => ValueFmt::Number,
            crate::model::KpiFormat::Percent => ValueFmt::Percent,
        }
    }
}

/// Format a value as a report prints it: 92.30%, 98694.55 万元, 12.
pub(crate) fn format_value(v: f64, fmt: ValueFmt, unit: Option<&str>) -> String {
    Value { v, fmt, unit }.to_string()
}

/// Points as a report prints them: "4.6", "5", "13.13" (a `Display` value, formatted where
/// it is used).
pub(crate) fn pts(v: f64) -> Pts {
    Pts(v)
}

/// A fraction as a percent with at most two decimals: 86.67%, 80% (a `Display` value).
pub(crate) fn percent_trimmed(fraction: f64) -> PercentTrimmed {
    PercentTrimmed(fraction)
}

// ---------------------------------------------------------------- rounding

/// Round half-up (away from zero) to 2 places, after first cutting float noise at 9 places
/// so that 9.224999999999 (from 10 × 0.9225) prints as 9.23, as a person computes it.
/// `x` in hundredths, rounded half-up as [`round_score`] does, when the integer path applies.
pub(crate) fn score_cents(x: f64) -> Option<i64> {
    decimal_units(x, 2)
}

/// `Decimal::new(m, scale).normalize()`, trimming the zeros in `i64` rather than in
/// `Decimal`'s 96-bit arithmetic.
pub(crate) fn trimmed_decimal(m: i64, scale: u32) -> Decimal {
    // No trailing zero first: the commonest case for scores and attainments (full marks
    // and zero never get here from `attainment_of_cents`). Then the most zeros first, so
    // one division strips them all. Divisibility by a constant is a multiply and a compare.
    let (m, scale) = match scale {
        _ if m == 0 => return Decimal::ZERO,
        _ if m % 10 != 0 => (m, scale),
        2 if m % 100 == 0 => (m / 100, 0),
        2 => (m / 10, 1),
        4 if m % 10_000 == 0 => (m / 10_000, 0),
        4 if m % 1_000 == 0 => (m / 1_000, 1),
        4 if m % 100 == 0 => (m / 100, 2),
        4 => (m / 10, 3),
        _ => {
            let (mut m, mut scale) = (m, scale);
            while scale > 0 && m % 10 == 0 {
                m /= 10;
                scale -= 1;
            }
            (m, scale)
        }
    };
    // `try_new` (no panic path) inlines where `new` is a call per score; scale ≤ 28 here.
    Decimal::try_new(m, scale).unwrap_or(Decimal::ZERO)
}

/// `round_score(x)` as a float: the score as it prints, for arithmetic on printed values.
pub(crate) fn printed_score(x: f64) -> f64 {
    match score_cents(x) {
        #[allow(clippy::cast_precision_loss)] // |cents| < 9 × 10⁸
        Some(cents) => cents as f64 / 100.0,
        None => round_score(x).to_f64().unwrap_or(x),
    }
}

pub(crate) fn round_score(x: f64) -> Decimal {
    if let Some(cents) = score_cents(x) {
        return trimmed_decimal(cents, 2);
    }
    rounded(x, 2).unwrap_or_default().normalize()
}

pub(crate) fn points_decimal(x: f64) -> Decimal {
    round_score(x)
}

/// Hundredths as a normalized `Decimal` (`6960` → `69.6`).
pub(crate) fn decimal_of_cents(cents: i64) -> Decimal {
    trimmed_decimal(cents, 2)
}

/// Points in a rulebook problem: two places at most, trailing zeros dropped ("12.5").
pub(crate) fn fmt_pts(p: f64) -> String {
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // the point: the very double a threshold parses to
    fn values_are_kept_as_printed_to_four_places() {
        // Binary noise dropped: each of these is a decimal people type, on a threshold.
        assert_eq!(1575.36 / 1750.40, 0.899_999_999_999_999_9);
        assert_eq!(as_printed(1575.36 / 1750.40), 0.9);
        assert_eq!(as_printed((2500.30 - 2250.27) / 2500.30), 0.1);
        assert_eq!(as_printed((1000.0 - 1050.0) / 1000.0), -0.05);
        // Half away from zero at the fifth place, also where the double is just below it.
        assert_eq!(as_printed(179_999.0 / 200_000.0), 0.9);
        assert_eq!(as_printed(0.856_25), 0.8563);
        assert_eq!(as_printed(0.949_95), 0.95);
        assert_eq!(as_printed(0.949_94), 0.9499);
        assert_eq!(as_printed(-0.000_05), -0.0001);
        // What does not terminate is cut the same way every time.
        assert_eq!(as_printed(2.0 / 3.0), 0.6667);
        assert_eq!(as_printed(-1.0 / 3.0), -0.3333);
        // No negative zero to print as "-0.00%".
        assert!(as_printed(-0.000_01).is_sign_positive());
        // Beyond the integer route, through `Decimal`, by the same rule.
        assert_eq!(as_printed(12_345_678.123_45), 12_345_678.123_5);
        assert_eq!(as_printed(9.0e6 + 0.000_05), 9_000_000.000_1);
        assert_eq!(as_printed(1e20), 1e20);
        assert!(as_printed(f64::NAN).is_nan());
        assert_eq!(as_printed(f64::INFINITY), f64::INFINITY);
        // Printed, the kept value shows the digits it was decided at.
        let show = |v: f64| {
            let mut s = String::new();
            Value {
                v: as_printed(v),
                fmt: ValueFmt::Percent,
                unit: None,
            }
            .write_to(&mut s)
            .unwrap();
            s
        };
        assert_eq!(show(0.856_25), "85.63%");
        assert_eq!(show(1575.36 / 1750.40), "90.00%");
        assert_eq!(show(-0.000_01), "0.00%");
    }

    #[test]
    #[allow(clippy::float_cmp)]
    fn every_four_place_decimal_is_its_own_printed_value() {
        // k / 10⁴ computed the ways KPIs compute it: a division, a product, a difference.
        for k in (-2_000_000_i64..2_000_000).step_by(7) {
            #[allow(clippy::cast_precision_loss)]
            let exact = k as f64 / 10_000.0;
            assert_eq!(as_printed(exact), exact, "{k}");
            #[allow(clippy::cast_precision_loss)]
            let product = k as f64 * 0.0001;
            assert_eq!(as_printed(product), exact, "{k} as a product");
            assert_eq!(
                as_printed((exact + 1.1) - 1.1),
                exact,
                "{k} as a difference"
            );
        }
    }

    fn sweep() -> Vec<f64> {
        let mut values = vec![
            0.0,
            -0.0,
            0.125,
            0.135,
            2.675,
            1.005,
            -1.005,
            99.995,
            1e14,
            1e16,
            -3.3,
            0.00049,
            -0.00049,
            0.000_04,
            -0.000_04,
            1.0 / 3.0,
            12_345.678_95,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -2.5,
            0.5,
            1e-9,
            13.125,
            9.224_999_999_999,
            // Either side of the integer route's 10¹⁵ limit, at 0, 2 and 4 decimals.
            999_999_999_999_999.0,
            -999_999_999_999_999.0,
            1e15,
            9_999_999_999_999.99,
            -9_999_999_999_999.99,
            99_999_999_999.999_9,
            -99_999_999_999.999_9,
            100_000_000_000.0,
            0.999_95,
            -0.999_95,
            9.999_96,
        ];
        let mut x = 0.000_123_f64;
        while x < 1e13 {
            values.extend([x, -x, x * 1.000_7, x + 0.005, x + 0.000_05, -x - 0.005]);
            x *= 1.37;
        }
        values
    }

    #[test]
    fn round_i64_is_f64_round() {
        let mut xs = sweep();
        xs.extend([
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            1.5,
            -1.5,
            2.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            -4_503_599_627_370_497.0,
            9_007_199_254_740_993.0,
            4.5e18,
            -4.5e18,
            4.7e18,
            1e300,
        ]);
        for x in xs {
            for x in [x, x * 1e9, x * 100.0, x * 10_000.0] {
                #[allow(clippy::cast_possible_truncation)]
                let expected = (x.is_finite() && x.abs() < 4.6e18).then(|| x.round() as i64);
                assert_eq!(round_i64(x), expected, "{x:e}");
            }
        }
    }

    /// What the helpers printed before: the string route, kept here as the reference.
    fn trimmed_reference(v: f64, decimals: usize, fix_neg_zero: bool) -> String {
        let s = format!("{v:.decimals$}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if fix_neg_zero && s == "-0" {
            "0".into()
        } else {
            s.to_string()
        }
    }

    #[test]
    fn fixed_is_format_exactly() {
        for v in sweep() {
            for d in 0..=4 {
                assert_eq!(Fixed(v, d).to_string(), format!("{v:.d$}"), "{v} with {d}");
            }
            assert_eq!(Fixed(v, 6).to_string(), format!("{v:.6}"), "{v} with 6");
        }
    }

    #[test]
    fn trimmed_numbers_match_the_string_route() {
        for v in sweep() {
            assert_eq!(
                trim_num(v).to_string(),
                trimmed_reference(v, 4, true),
                "{v}"
            );
            assert_eq!(
                PercentTrimmed(v).to_string(),
                format!("{}%", trimmed_reference(v * 100.0, 2, false)),
                "{v}"
            );
        }
        assert_eq!(trim_num(-0.000_01).to_string(), "0");
        assert_eq!(trim_num(100.0).to_string(), "100");
        assert_eq!(PercentTrimmed(0.8).to_string(), "80%");
        assert_eq!(PercentTrimmed(0.866_66).to_string(), "86.67%");
    }

    #[test]
    fn points_print_as_the_rounded_decimal() {
        for v in sweep() {
            if !v.is_finite() || v.abs() > 1e12 {
                continue;
            }
            assert_eq!(Pts(v).to_string(), round_score(v).to_string(), "{v}");
        }
        for v in sweep() {
            let points = Points::new(v);
            assert_eq!(points.to_string(), Pts(v).to_string(), "{v}");
            if v.is_finite() {
                assert_eq!(points.decimal(), round_score(v), "{v}");
            }
        }
        assert_eq!(Pts(13.125).to_string(), "13.13");
        assert_eq!(Pts(4.6).to_string(), "4.6");
        assert_eq!(Pts(5.0).to_string(), "5");
        assert_eq!(Pts(-1.005).to_string(), "-1.01");
    }

    /// Pushed into a text ([`Piece`], the `String` sink) exactly as displayed (`Formatter`).
    #[test]
    fn pieces_push_what_display_prints() {
        let show = |v, fmt| Value { v, fmt, unit: None };
        for v in sweep() {
            let texts = [
                (cat!(Fixed(v, 2)), Fixed(v, 2).to_string()),
                (cat!(Fixed(v, 4)), Fixed(v, 4).to_string()),
                (cat!(trim_num(v)), trim_num(v).to_string()),
                (cat!(PercentTrimmed(v)), PercentTrimmed(v).to_string()),
                (cat!(Pts(v)), Pts(v).to_string()),
                (
                    cat!(show(v, ValueFmt::Integer)),
                    show(v, ValueFmt::Integer).to_string(),
                ),
            ];
            for (pushed, displayed) in texts {
                assert_eq!(pushed, displayed, "{v}");
            }
        }
    }

    #[test]
    fn integers_print_as_float_display() {
        let mut values = sweep();
        values.extend([
            12.0,
            -12.0,
            1e14,
            999_999_999_999_999.0,
            -999_999_999_999_999.0,
            1e15,
            1e16,
            -1e300,
            4_503_599_627_370_497.0,
            f64::MAX,
            f64::MIN_POSITIVE,
        ]);
        for v in values {
            for v in [v, v.trunc()] {
                let shown = Value {
                    v,
                    fmt: ValueFmt::Integer,
                    unit: None,
                };
                assert_eq!(shown.to_string(), format!("{v}"), "{v:e}");
            }
        }
        let zero = |v| Value {
            v,
            fmt: ValueFmt::Integer,
            unit: None,
        };
        assert_eq!(zero(-0.0).to_string(), "-0");
        assert_eq!(zero(0.0).to_string(), "0");
    }

    #[test]
    fn values_and_thresholds_print_in_their_scale() {
        let pct = |v| Value {
            v,
            fmt: ValueFmt::Percent,
            unit: None,
        };
        assert_eq!(pct(0.923).to_string(), "92.30%");
        assert_eq!(Threshold(pct(0.95)).to_string(), "95%");
        let money = Value {
            v: 98_694.55,
            fmt: ValueFmt::Number,
            unit: Some("万元"),
        };
        assert_eq!(money.to_string(), "98694.55万元");
        let count = Value {
            v: 12.0,
            fmt: ValueFmt::Integer,
            unit: None,
        };
        assert_eq!(count.to_string(), "12");
    }
}
