//! Early warning (issue 14 point 6, ADR 0038): the weeks compared and the test that decides
//! whether a week's count is a rise rather than noise.
//!
//! A week is an ISO week in Vietnam time (Monday 00:00 to the next Monday 00:00, UTC+7). The
//! job examines the last complete week against the [`BASELINE_WEEKS`] weeks before it. A count
//! is a signal when all three hold: the one-sided Poisson tail `P(X ≥ count)` under the
//! baseline's weekly mean (floored at [`BASELINE_FLOOR`]) is below [`P_THRESHOLD`]; the count
//! is at least [`MIN_COUNT`]; and it is at least [`MIN_RATIO`] times that mean. The mean
//! divides the baseline's total by the weeks of history it covers (fewer than eight in the
//! service's first weeks), and no week is tested before [`MIN_HISTORY_WEEKS`] of history.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Weekday};

/// Weeks of history the last week is compared with.
pub const BASELINE_WEEKS: i64 = 8;
/// The least weekly mean assumed: a category never seen before is not "infinitely" rising.
pub const BASELINE_FLOOR: f64 = 0.5;
/// One-sided significance required.
pub const P_THRESHOLD: f64 = 0.001;
/// The least number of cases in the week for a signal.
pub const MIN_COUNT: i64 = 5;
/// The least ratio of the week's count to the baseline mean.
pub const MIN_RATIO: f64 = 3.0;
/// The least history (weeks from the service's first case to the week examined) for a signal:
/// the first week has nothing to rise above.
pub const MIN_HISTORY_WEEKS: f64 = 1.0;

/// What a rise is found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertDimension {
    Category,
    Business,
    /// The product or service the complaints name (`values::Product::key`).
    Product,
}

impl AlertDimension {
    pub const ALL: [AlertDimension; 3] = [
        AlertDimension::Category,
        AlertDimension::Business,
        AlertDimension::Product,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertDimension::Category => "category",
            AlertDimension::Business => "business",
            AlertDimension::Product => "product",
        }
    }

    pub fn parse(s: &str) -> Option<AlertDimension> {
        AlertDimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// Where a signal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Open,
    Dismissed,
    /// A public warning was drafted from it.
    Drafted,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 3] = [AlertStatus::Open, AlertStatus::Dismissed, AlertStatus::Drafted];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Dismissed => "dismissed",
            AlertStatus::Drafted => "drafted",
        }
    }

    pub fn parse(s: &str) -> Option<AlertStatus> {
        AlertStatus::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The week examined and its baseline, as UTC instants (`[start, end)` each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertWeek {
    /// ISO week, e.g. `2026-W47`: the key that makes the job run once per week.
    pub key: String,
    /// Monday of the week (Vietnam date).
    pub monday: NaiveDate,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub baseline_start: NaiveDateTime,
}

const VN_OFFSET_HOURS: i64 = 7;

impl AlertWeek {
    /// The last complete week before the week of `today` (a Vietnam date).
    pub fn last_complete(today: NaiveDate) -> AlertWeek {
        let this_monday = today - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
        let monday = this_monday - TimeDelta::days(7);
        let utc = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN) - TimeDelta::hours(VN_OFFSET_HOURS);
        let iso = monday.iso_week();
        AlertWeek {
            key: format!("{}-W{:02}", iso.year(), iso.week()),
            monday,
            start: utc(monday),
            end: utc(this_monday),
            baseline_start: utc(monday - TimeDelta::days(7 * BASELINE_WEEKS)),
        }
    }

    /// Sunday of the week (Vietnam date).
    pub fn sunday(&self) -> NaiveDate {
        self.monday + TimeDelta::days(i64::from(Weekday::Sun.num_days_from_monday()))
    }
}

/// `P(X ≥ k)` for `X ~ Poisson(lambda)`, `lambda > 0`. Summed upward from `k` (no cancellation
/// for the small tails that matter) when `k` is above the mean, else one minus the lower sum.
pub fn poisson_upper_tail(k: i64, lambda: f64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // ln P(X = i) = -λ + i ln λ - ln i!
    let ln_fact = |n: i64| (2..=n).map(|i| (i as f64).ln()).sum::<f64>();
    let pmf = |i: i64| (-lambda + i as f64 * lambda.ln() - ln_fact(i)).exp();
    if (k as f64) > lambda {
        let mut term = pmf(k);
        let mut sum = 0.0;
        let mut i = k;
        while term > 0.0 && (term > sum * 1e-17) && i < k + 100_000 {
            sum += term;
            i += 1;
            term *= lambda / i as f64;
        }
        sum.min(1.0)
    } else {
        let mut term = (-lambda).exp();
        let mut lower = 0.0;
        for i in 0..k {
            lower += term;
            term *= lambda / (i + 1) as f64;
        }
        (1.0 - lower).clamp(0.0, 1.0)
    }
}

/// The test of one week's count against the total of the baseline weeks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiseTest {
    /// Cases per week the baseline leads one to expect (floored).
    pub baseline_mean: f64,
    pub p_value: f64,
    pub signal: bool,
}

/// The weeks of history a baseline has: from the service's first case (`first_case`, `None`:
/// none yet) to the start of the week examined, in weeks (fractional), at most
/// [`BASELINE_WEEKS`] — fewer at go-live, when the baseline window reaches back before the
/// first case and its total covers only the weeks since.
pub fn history_weeks(first_case: Option<NaiveDateTime>, week_start: NaiveDateTime) -> f64 {
    let Some(first) = first_case else { return 0.0 };
    let days = (week_start - first).num_seconds() as f64 / 86_400.0;
    (days / 7.0).clamp(0.0, BASELINE_WEEKS as f64)
}

/// Tests `count` in the week against `baseline_total` over the `history` weeks before it
/// ([`history_weeks`]). With less than [`MIN_HISTORY_WEEKS`] of history there is no baseline
/// to rise above: never a signal.
pub fn test_rise(count: i64, baseline_total: i64, history: f64) -> RiseTest {
    let weeks = history.min(BASELINE_WEEKS as f64);
    let mean = if weeks >= MIN_HISTORY_WEEKS {
        (baseline_total as f64 / weeks).max(BASELINE_FLOOR)
    } else {
        BASELINE_FLOOR
    };
    let p = poisson_upper_tail(count, mean);
    RiseTest {
        baseline_mean: mean,
        p_value: p,
        signal: weeks >= MIN_HISTORY_WEEKS && p < P_THRESHOLD && count >= MIN_COUNT && count as f64 >= MIN_RATIO * mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_matches_known_values() {
        // P(X ≥ 1 | 1) = 1 - e^-1
        assert!((poisson_upper_tail(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        // P(X ≥ 3 | 2) = 1 - e^-2 (1 + 2 + 2) = 0.3233235838
        assert!((poisson_upper_tail(3, 2.0) - 0.323_323_583_8).abs() < 1e-9);
        // P(X ≥ 12 | 1) ≈ 8.3161e-10 (the upper sum, no cancellation)
        let p = poisson_upper_tail(12, 1.0);
        assert!((p - 8.316_107e-10).abs() < 1e-15, "{p}");
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        // P(X ≥ 20 | 15) ≈ 0.1248
        assert!((poisson_upper_tail(20, 15.0) - 0.1248).abs() < 1e-3);
    }

    #[test]
    fn twelve_against_one_a_week_is_a_signal() {
        let t = test_rise(12, 8, 8.0);
        assert!(t.signal, "{t:?}");
        assert_eq!(t.baseline_mean, 1.0);
    }

    #[test]
    fn small_counts_and_ordinary_variation_are_not() {
        // 3 against 0.5 a week: unlikely, but too few cases to tell.
        let t = test_rise(3, 4, 8.0);
        assert!(!t.signal, "{t:?}");
        // 20 against 15 a week: within the noise, and not three times.
        let t = test_rise(20, 120, 8.0);
        assert!(!t.signal, "{t:?}");
        // Never seen before: the floor of 0.5 a week applies; 4 cases are still too few.
        assert!(!test_rise(4, 0, 8.0).signal);
        assert_eq!(test_rise(4, 0, 8.0).baseline_mean, BASELINE_FLOOR);
        // Three times and significant but 9 vs 3: p ≈ 0.0038, not below 0.001.
        assert!(!test_rise(9, 24, 8.0).signal);
        // 60 vs 30 a week: highly significant but only twice: not a signal.
        assert!(!test_rise(60, 240, 8.0).signal);
    }

    #[test]
    fn a_short_history_divides_by_the_weeks_it_has() {
        // Two weeks after go-live, 10 cases in those two weeks: 5 a week, not 10 / 8 = 1.25
        // (against which 7 this week would be "more than five times").
        let t = test_rise(7, 10, 2.0);
        assert_eq!(t.baseline_mean, 5.0);
        assert!(!t.signal, "{t:?}");
        assert!(test_rise(7, 10, 8.0).signal, "the old reading would signal");
        // The go-live week has no history: 7 cases of a category are not a rise.
        assert!(!test_rise(7, 0, 0.0).signal);
        assert!(!test_rise(7, 0, 0.5).signal);
        // With a full history, a new category's 7 cases are (floor 0.5 a week).
        assert!(test_rise(7, 0, 8.0).signal);
        // More history than the window counts as the window.
        assert_eq!(test_rise(6, 16, 20.0).baseline_mean, 2.0);
    }

    #[test]
    fn history_is_counted_from_the_first_case_up_to_eight_weeks() {
        let at = |d: u32| {
            NaiveDate::from_ymd_opt(2026, 11, d)
                .expect("date")
                .and_time(chrono::NaiveTime::MIN)
        };
        assert_eq!(history_weeks(None, at(23)), 0.0);
        assert_eq!(history_weeks(Some(at(9)), at(23)), 2.0);
        assert_eq!(history_weeks(Some(at(23)), at(23)), 0.0);
        assert_eq!(history_weeks(Some(at(27)), at(23)), 0.0);
        let long_ago = at(1) - TimeDelta::days(365);
        assert_eq!(history_weeks(Some(long_ago), at(23)), BASELINE_WEEKS as f64);
    }

    #[test]
    fn the_week_is_the_last_complete_iso_week_in_vietnam_time() {
        // Wednesday 2 December 2026: the last complete week is 23–29 November (W48).
        let w = AlertWeek::last_complete(NaiveDate::from_ymd_opt(2026, 12, 2).expect("date"));
        assert_eq!(w.key, "2026-W48");
        assert_eq!(w.monday, NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"));
        assert_eq!(w.sunday(), NaiveDate::from_ymd_opt(2026, 11, 29).expect("date"));
        assert_eq!(w.start.to_string(), "2026-11-22 17:00:00");
        assert_eq!(w.end.to_string(), "2026-11-29 17:00:00");
        assert_eq!(w.baseline_start.to_string(), "2026-09-27 17:00:00");
        // On a Monday the week that just ended is examined.
        let m = AlertWeek::last_complete(NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"));
        assert_eq!(m.key, "2026-W48");
    }
}
