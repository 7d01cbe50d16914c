//! Golden (hand-checked) and property tests against the real calendar data.

// Tests may unwrap: a panic is a test failure (the crate denies unwrap outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const DATA: &str = include_str!("../../config/calendar/holidays-vn.toml");

const TET_2025: &str = "Tết Nguyên đán Ất Tỵ";
const TET_2026: &str = "Tết Nguyên đán Bính Ngọ";
const TET_2027: &str = "Tết Nguyên đán Đinh Mùi (dự kiến)";

fn cal() -> Calendar {
    Calendar::from_toml_str(DATA).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn sk(date: &str, reason: &str) -> Skipped {
    Skipped {
        date: d(date),
        reason: reason.to_string(),
    }
}

fn due(c: &Calendar, from: &str, n: u32) -> NaiveDate {
    c.add_working_days(d(from), n).due
}

// ------------------------------------------------------------------ loading

#[test]
fn real_data_loads() {
    let c = cal();
    assert_eq!(c.days().count(), 52);
    let dates: Vec<_> = c.days().map(|x| x.date).collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "days() is in date order");
    let p = c.day(d("2026-11-24")).unwrap();
    assert_eq!(p.status, DayStatus::Proposed);
    assert!(!p.enabled && !p.is_effective());
}

#[test]
fn load_dir_merges_sorted_and_rejects_cross_file_duplicates() {
    let dir = std::env::temp_dir().join(format!("hotline-calendar-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("10-vn.toml"), DATA).unwrap();
    std::fs::write(
        dir.join("20-local.toml"),
        "[[day]]\ndate = 2028-01-26\nkind = \"off\"\nname = \"Tết 2028\"\nstatus = \"statutory\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("README.md"), "not toml").unwrap();
    std::fs::create_dir_all(dir.join("sub.toml")).unwrap(); // a folder, ignored
    let c = Calendar::load_dir(&dir).unwrap();
    assert_eq!(c.days().count(), 53);
    assert!(!c.is_working_day(d("2028-01-26")));

    std::fs::write(
        dir.join("30-dup.toml"),
        "[[day]]\ndate = \"2026-09-02\"\nkind = \"off\"\nname = \"x\"\nstatus = \"official\"\n",
    )
    .unwrap();
    match Calendar::load_dir(&dir) {
        Err(CalendarError::Duplicate { date, first, second }) => {
            assert_eq!(date, d("2026-09-02"));
            assert!(first.ends_with("10-vn.toml"), "{first}");
            assert!(second.ends_with("30-dup.toml"), "{second}");
        }
        other => panic!("expected duplicate, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(matches!(Calendar::load_dir(&dir), Err(CalendarError::Io { .. })));
}

fn one(date: &str, kind: &str, extra: &str) -> String {
    format!("[[day]]\ndate = {date}\nkind = \"{kind}\"\nname = \"N\"\nstatus = \"official\"\n{extra}")
}

#[test]
fn toml_validation() {
    // duplicate within a file
    let dup = format!(
        "{}{}",
        one("\"2026-01-01\"", "off", ""),
        one("\"2026-01-01\"", "off", "")
    );
    assert!(matches!(
        Calendar::from_toml_str(&dup),
        Err(CalendarError::Duplicate { .. })
    ));
    // make-up working day on a weekday
    assert!(matches!(
        Calendar::from_toml_str(&one("\"2026-01-09\"", "working", "")),
        Err(CalendarError::WorkingOnWeekday {
            weekday: Weekday::Fri,
            ..
        })
    ));
    // off on a weekend is harmless
    let c = Calendar::from_toml_str(&one("\"2026-01-11\"", "off", "")).unwrap();
    assert!(!c.is_working_day(d("2026-01-11")));
    // working on a Sunday is allowed (weekend)
    let c = Calendar::from_toml_str(&one("\"2026-01-11\"", "working", "")).unwrap();
    assert!(c.is_working_day(d("2026-01-11")));
    // bad dates, bad kinds, unknown fields, missing fields, date-times
    for bad in [
        one("\"2025-02-30\"", "off", ""),
        one("\"30/04/2025\"", "off", ""),
        one("2025-02-29", "off", ""),
        one("2025-04-30T00:00:00", "off", ""),
        one("20250430", "off", ""),
        one("\"2025-04-30\"", "holiday", ""),
        one("\"2025-04-30\"", "off", "source = \"x\"\n"),
        "[[day]]\ndate = \"2025-04-30\"\nkind = \"off\"\nname = \"N\"\n".to_string(),
        "[[days]]\ndate = \"2025-04-30\"\n".to_string(),
    ] {
        match Calendar::from_toml_str(&bad) {
            Err(CalendarError::Parse { origin, .. }) => assert_eq!(origin, "<string>"),
            other => panic!("{bad}: expected parse error, got {other:?}"),
        }
    }
    // empty name
    assert!(matches!(
        Calendar::from_toml_str(&one("\"2026-01-01\"", "off", "").replace("\"N\"", "\" \"")),
        Err(CalendarError::EmptyName { .. })
    ));
    // empty file = plain Mon-Fri calendar
    let c = Calendar::from_toml_str("# nothing yet\n").unwrap();
    assert_eq!(c.days().count(), 0);
    assert!(c.is_working_day(d("2026-01-01")));
}

#[test]
fn from_days_validates_like_toml() {
    let day = |date: &str, kind, status| SpecialDay {
        date: d(date),
        kind,
        name: "X".into(),
        status,
        enabled: false,
    };
    let c = Calendar::from_days(cal().days().cloned().collect()).unwrap();
    assert_eq!(c, cal());
    assert!(matches!(
        Calendar::from_days(vec![
            day("2026-01-01", DayKind::Off, DayStatus::Official),
            day("2026-01-01", DayKind::Off, DayStatus::Official),
        ]),
        Err(CalendarError::Duplicate { .. })
    ));
    assert!(matches!(
        Calendar::from_days(vec![day("2026-01-05", DayKind::Working, DayStatus::Official)]),
        Err(CalendarError::WorkingOnWeekday { .. })
    ));
}

#[test]
fn serde_shapes() {
    let json = r#"{"date":"2026-11-24","kind":"off","name":"Ngày Văn hóa Việt Nam","status":"proposed"}"#;
    let day: SpecialDay = serde_json::from_str(json).unwrap();
    assert!(!day.enabled);
    assert_eq!(day.kind, DayKind::Off);
    let r = cal().add_working_days(d("2026-08-28"), 1);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["due"], "2026-09-03");
    assert_eq!(v["provisional"], false);
    assert_eq!(v["skipped"][2]["date"], "2026-08-31");
    assert_eq!(v["skipped"][2]["reason"], "Nghỉ hoán đổi (làm bù thứ Bảy 22/8)");
}

// ------------------------------------------------------------------ goldens

#[test]
fn golden_tet_2025() {
    let c = cal();
    let r = c.add_working_days(d("2025-01-24"), 5); // Fri before Tết
    assert_eq!(r.due, d("2025-02-07"));
    assert!(!r.provisional);
    assert_eq!(
        r.skipped,
        vec![
            sk("2025-01-25", "Thứ Bảy"),
            sk("2025-01-26", "Chủ nhật"),
            sk("2025-01-27", TET_2025),
            sk("2025-01-28", TET_2025),
            sk("2025-01-29", TET_2025),
            sk("2025-01-30", TET_2025),
            sk("2025-01-31", TET_2025),
            sk("2025-02-01", "Thứ Bảy"),
            sk("2025-02-02", "Chủ nhật"),
        ]
    );
    assert_eq!(due(&c, "2025-01-23", 1), d("2025-01-24"));
    assert_eq!(due(&c, "2025-01-23", 2), d("2025-02-03"));
    assert_eq!(due(&c, "2025-01-27", 1), d("2025-02-03")); // event during Tết
    assert_eq!(due(&c, "2025-01-20", 10), d("2025-02-10"));
}

#[test]
fn golden_tet_2026() {
    let c = cal();
    let r = c.add_working_days(d("2026-02-13"), 1);
    assert_eq!(r.due, d("2026-02-23"));
    assert_eq!(r.skipped.len(), 9);
    assert_eq!(r.skipped[0], sk("2026-02-14", "Thứ Bảy"));
    assert_eq!(r.skipped[2], sk("2026-02-16", TET_2026));
    assert_eq!(r.skipped[6], sk("2026-02-20", TET_2026));
    assert_eq!(r.skipped[8], sk("2026-02-22", "Chủ nhật"));
    assert_eq!(due(&c, "2026-02-13", 10), d("2026-03-06"));
    assert_eq!(due(&c, "2026-02-09", 7), d("2026-02-25")); // 10,11,12,13 + 23,24,25
    assert_eq!(c.prev_working_day(d("2026-02-23")), d("2026-02-13"));
}

#[test]
fn golden_april_may_2025_with_make_up_saturday() {
    let c = cal();
    assert!(c.is_working_day(d("2025-04-26")));
    let r = c.add_working_days(d("2025-04-25"), 1);
    assert_eq!(r.due, d("2025-04-26"));
    assert!(r.skipped.is_empty());
    assert_eq!(due(&c, "2025-04-25", 3), d("2025-04-29"));
    let r = c.add_working_days(d("2025-04-25"), 4);
    assert_eq!(r.due, d("2025-05-05"));
    assert_eq!(
        r.skipped,
        vec![
            sk("2025-04-27", "Chủ nhật"),
            sk("2025-04-30", "Ngày Chiến thắng"),
            sk("2025-05-01", "Quốc tế Lao động"),
            sk("2025-05-02", "Nghỉ hoán đổi (làm bù thứ Bảy 26/4)"),
            sk("2025-05-03", "Thứ Bảy"),
            sk("2025-05-04", "Chủ nhật"),
        ]
    );
    // acknowledge clock: 10 WD from Tue 22/4 counts Sat 26/4
    assert_eq!(due(&c, "2025-04-22", 10), d("2025-05-08"));
    assert_eq!(c.working_days_between(d("2025-04-25"), d("2025-05-05")), 4);
}

#[test]
fn golden_new_year_2026_swap() {
    let c = cal();
    let r = c.add_working_days(d("2025-12-31"), 1);
    assert_eq!(r.due, d("2026-01-05"));
    assert_eq!(
        r.skipped,
        vec![
            sk("2026-01-01", "Tết Dương lịch"),
            sk("2026-01-02", "Nghỉ hoán đổi (làm bù thứ Bảy 10/01)"),
            sk("2026-01-03", "Thứ Bảy"),
            sk("2026-01-04", "Chủ nhật"),
        ]
    );
    assert_eq!(due(&c, "2025-12-31", 5), d("2026-01-09"));
    assert_eq!(due(&c, "2025-12-31", 6), d("2026-01-10")); // make-up Saturday
    let r = c.add_working_days(d("2025-12-31"), 7);
    assert_eq!(r.due, d("2026-01-12"));
    assert_eq!(r.skipped.len(), 5);
    assert_eq!(r.skipped[4], sk("2026-01-11", "Chủ nhật"));
    assert_eq!(c.next_working_day(d("2026-01-09")), d("2026-01-10"));
    assert_eq!(c.prev_working_day(d("2026-01-12")), d("2026-01-10"));
}

#[test]
fn golden_national_day_2026_swap() {
    let c = cal();
    assert_eq!(due(&c, "2026-08-21", 1), d("2026-08-22"));
    let r = c.add_working_days(d("2026-08-28"), 1);
    assert_eq!(r.due, d("2026-09-03"));
    assert_eq!(
        r.skipped,
        vec![
            sk("2026-08-29", "Thứ Bảy"),
            sk("2026-08-30", "Chủ nhật"),
            sk("2026-08-31", "Nghỉ hoán đổi (làm bù thứ Bảy 22/8)"),
            sk("2026-09-01", "Quốc khánh (ngày liền kề)"),
            sk("2026-09-02", "Quốc khánh"),
        ]
    );
    assert_eq!(due(&c, "2026-08-20", 7), d("2026-08-28"));
    assert_eq!(due(&c, "2026-08-20", 8), d("2026-09-03"));
    assert_eq!(c.prev_working_day(d("2026-09-03")), d("2026-08-28"));
}

#[test]
fn golden_proposed_day_ignored_unless_enabled() {
    let mut c = cal();
    assert!(c.is_working_day(d("2026-11-24")));
    let r = c.add_working_days(d("2026-11-23"), 1);
    assert_eq!(r.due, d("2026-11-24"));
    assert!(r.skipped.is_empty());

    c.set_proposed_enabled(d("2026-11-24"), true).unwrap();
    assert!(!c.is_working_day(d("2026-11-24")));
    let r = c.add_working_days(d("2026-11-23"), 1);
    assert_eq!(r.due, d("2026-11-25"));
    assert_eq!(r.skipped, vec![sk("2026-11-24", "Ngày Văn hóa Việt Nam (đề xuất)")]);
    assert!(!r.provisional);
    assert_eq!(due(&c, "2026-11-20", 5), d("2026-11-30"));

    // enabled via data too
    let on = DATA.replace("status = \"proposed\"", "status = \"proposed\"\nenabled = true");
    assert_eq!(
        due(&Calendar::from_toml_str(&on).unwrap(), "2026-11-23", 1),
        d("2026-11-25")
    );

    c.set_proposed_enabled(d("2026-11-24"), false).unwrap();
    assert!(c.is_working_day(d("2026-11-24")));
    assert!(matches!(
        c.set_proposed_enabled(d("2026-09-02"), true),
        Err(CalendarError::NotProposed(_))
    ));
    assert!(matches!(
        c.set_proposed_enabled(d("2026-11-25"), true),
        Err(CalendarError::UnknownDate(_))
    ));
}

#[test]
fn golden_statutory_2027_is_provisional() {
    let c = cal();
    let r = c.add_working_days(d("2027-02-04"), 1);
    assert_eq!(r.due, d("2027-02-11"));
    assert!(r.provisional);
    assert_eq!(
        r.skipped,
        vec![
            sk("2027-02-05", TET_2027),
            sk("2027-02-06", "Thứ Bảy"),
            sk("2027-02-07", "Chủ nhật"),
            sk("2027-02-08", TET_2027),
            sk("2027-02-09", TET_2027),
            sk("2027-02-10", "Tết Nguyên đán Đinh Mùi (dự kiến, nghỉ bù)"),
        ]
    );
    // not touching a statutory day: not provisional
    let r = c.add_working_days(d("2027-02-01"), 3);
    assert_eq!(r.due, d("2027-02-04"));
    assert!(!r.provisional);
    assert!(!c.add_working_days(d("2027-02-11"), 1).provisional);
    // 1/1/2027 (Fri, statutory)
    let r = c.add_working_days(d("2026-12-31"), 1);
    assert_eq!(r.due, d("2027-01-04"));
    assert!(r.provisional);
    // 2026 is all official
    assert!(!c.add_working_days(d("2026-02-13"), 10).provisional);
}

#[test]
fn provisional_rules_for_weekend_and_make_up_entries() {
    let day = |date: &str, kind| SpecialDay {
        date: d(date),
        kind,
        name: "Dự kiến".into(),
        status: DayStatus::Statutory,
        enabled: false,
    };
    // statutory make-up Saturday that is counted decides the result
    let c = Calendar::from_days(vec![day("2027-03-06", DayKind::Working)]).unwrap();
    let r = c.add_working_days(d("2027-03-05"), 1);
    assert_eq!((r.due, r.provisional), (d("2027-03-06"), true));
    assert!(!c.add_working_days(d("2027-03-06"), 1).provisional);
    // a statutory "off" on a Sunday changes nothing: skipped with its name, not provisional
    let c = Calendar::from_days(vec![day("2027-03-07", DayKind::Off)]).unwrap();
    let r = c.add_working_days(d("2027-03-05"), 1);
    assert_eq!(r.due, d("2027-03-08"));
    assert_eq!(r.skipped[1], sk("2027-03-07", "Dự kiến"));
    assert!(!r.provisional);
}

#[test]
fn golden_n_zero() {
    let c = cal();
    let r = c.add_working_days(d("2025-04-26"), 0); // make-up Saturday
    assert_eq!(r.due, d("2025-04-26"));
    assert!(r.skipped.is_empty());
    let r = c.add_working_days(d("2026-02-15"), 0); // Sunday inside Tết break
    assert_eq!(r.due, d("2026-02-23"));
    assert_eq!(r.skipped.first(), Some(&sk("2026-02-15", "Chủ nhật")));
    assert_eq!(r.skipped.len(), 8);
    let r = c.add_working_days(d("2027-02-05"), 0);
    assert_eq!((r.due, r.provisional), (d("2027-02-11"), true));
    assert_eq!(due(&c, "2026-03-04", 0), d("2026-03-04"));
}

#[test]
fn golden_pause_extension() {
    let c = cal();
    // due Fri 28/8/2026, paused 3 working days -> Mon 31/8, 1/9, 2/9 off -> 3,4,7/9
    let r = c.extend_due(d("2026-08-28"), 3);
    assert_eq!(r.due, d("2026-09-07"));
    // paused from Wed 29/4/2026 to Mon 4/5/2026: 30/4, 1/5 off, weekend -> 1 WD (4/5)
    assert_eq!(c.working_days_between(d("2026-04-29"), d("2026-05-04")), 1);
    assert_eq!(c.working_days_between(d("2026-05-04"), d("2026-05-04")), 0);
    assert_eq!(c.working_days_between(d("2026-05-05"), d("2026-05-04")), 0);
}

#[test]
fn time_helpers() {
    assert_eq!(tz().local_minus_utc(), 7 * 3600);
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    assert_eq!(local_date(at("2025-01-26T16:59:59Z")), d("2025-01-26"));
    assert_eq!(local_date(at("2025-01-26T17:00:00Z")), d("2025-01-27"));
    assert_eq!(end_of_day_utc(d("2025-02-07")), at("2025-02-07T16:59:59Z"));
    assert_eq!(
        cal().add_working_days(d("2025-01-24"), 5).deadline_utc(),
        at("2025-02-07T16:59:59Z")
    );
    assert_eq!(local_date(end_of_day_utc(d("2026-02-23"))), d("2026-02-23"));
    assert_eq!(add_calendar_months(d("2025-08-31"), 6), d("2026-02-28"));
    assert_eq!(add_calendar_months(d("2027-08-31"), 6), d("2028-02-29"));
    assert_eq!(add_calendar_months(d("2025-01-15"), 6), d("2025-07-15"));
    assert_eq!(add_calendar_months(d("2025-12-31"), 2), d("2026-02-28"));
    assert_eq!(add_calendar_months(d("2025-03-31"), 0), d("2025-03-31"));
    assert_eq!(add_calendar_months(NaiveDate::MAX, 1), NaiveDate::MAX);
}

#[test]
fn saturates_instead_of_panicking() {
    let c = cal();
    assert_eq!(c.add_working_days(NaiveDate::MAX, 3).due, NaiveDate::MAX);
    assert_eq!(c.next_working_day(NaiveDate::MAX), NaiveDate::MAX);
    assert_eq!(c.prev_working_day(NaiveDate::MIN), NaiveDate::MIN);
    let _ = end_of_day_utc(NaiveDate::MIN);
    let _ = end_of_day_utc(NaiveDate::MAX);
    let _ = local_date(DateTime::<Utc>::MAX_UTC);
}

// ------------------------------------------------------------------ properties

/// Every date 2024-01-01..=2027-12-31.
fn all_dates() -> impl Iterator<Item = NaiveDate> {
    let end = d("2027-12-31");
    d("2024-01-01").iter_days().take_while(move |x| *x <= end)
}

/// Small deterministic generator (no extra crates).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(n)) as u32
    }
}

#[test]
fn prop_due_is_working_and_counts_match() {
    let c = cal();
    let mut checked = 0;
    for from in all_dates() {
        for n in 0..=40u32 {
            let r = c.add_working_days(from, n);
            assert!(c.is_working_day(r.due), "{from}+{n}");
            if n == 0 {
                let expected = if c.is_working_day(from) {
                    from
                } else {
                    c.next_working_day(from)
                };
                assert_eq!(r.due, expected, "{from}+0");
                continue;
            }
            assert!(r.due > from, "{from}+{n}");
            assert_eq!(c.working_days_between(from, r.due), n, "{from}+{n}");
            // skipped = exactly the non-working days of (from, due], in order
            let rest: Vec<_> = from
                .iter_days()
                .skip(1)
                .take_while(|x| *x <= r.due)
                .filter(|x| !c.is_working_day(*x))
                .collect();
            let skipped: Vec<_> = r.skipped.iter().map(|s| s.date).collect();
            assert_eq!(skipped, rest, "{from}+{n}");
            let span = (r.due - from).num_days();
            assert_eq!(span, i64::from(n) + r.skipped.len() as i64);
            for s in &r.skipped {
                assert!(!s.reason.is_empty());
                if c.day(s.date).is_none_or(|x| !x.is_effective()) {
                    let want = if s.date.weekday() == Weekday::Sat {
                        REASON_SATURDAY
                    } else {
                        REASON_SUNDAY
                    };
                    assert_eq!(s.reason, want);
                }
            }
            // only statutory (2027) data, or a year the data holds nothing of (2028), can make
            // a result provisional
            if r.provisional {
                let unknown_year = from
                    .iter_days()
                    .take_while(|x| *x <= r.due)
                    .any(|x| !c.knows_year(x.year()));
                assert!(
                    unknown_year || r.skipped.iter().any(|s| s.date.year() == 2027),
                    "{from}+{n}"
                );
            }
            if r.due.year() < 2027 {
                assert!(!r.provisional);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 1461 * 40);
}

#[test]
fn prop_additive_and_extension() {
    let c = cal();
    let mut rng = Lcg(0x5eed_ca1e);
    for from in all_dates() {
        for n in 1..=40u32 {
            let first = c.add_working_days(from, n);
            let full = c.add_working_days(from, n + 1);
            assert_eq!(c.next_working_day(first.due), full.due);
            for _ in 0..2 {
                let m = rng.below(41);
                let both = c.add_working_days(first.due, m);
                assert_eq!(both.due, c.add_working_days(from, n + m).due, "{from}+{n}+{m}");
                // extending by k working days shifts by exactly k working days
                let k = m;
                let ext = c.extend_due(first.due, k);
                assert!(c.is_working_day(ext.due));
                assert_eq!(c.working_days_between(first.due, ext.due), k);
                if k >= 1 {
                    assert!(ext.due > first.due);
                } else {
                    assert_eq!(ext.due, first.due);
                }
            }
        }
    }
}

#[test]
fn prop_next_prev() {
    let c = cal();
    for x in all_dates() {
        let next = c.next_working_day(x);
        let prev = c.prev_working_day(x);
        assert!(next > x && prev < x);
        assert!(c.is_working_day(next) && c.is_working_day(prev));
        assert_eq!(next, c.add_working_days(x, 1).due);
        assert_eq!(c.working_days_between(x, next), 1);
        assert_eq!(c.working_days_between(prev, x), u32::from(c.is_working_day(x)));
        assert_eq!(c.prev_working_day(next) == x, c.is_working_day(x), "{x}");
        // working_days_between is additive over a split point
        let y = x + TimeDelta::days(30);
        let mid = x + TimeDelta::days(11);
        assert_eq!(
            c.working_days_between(x, y),
            c.working_days_between(x, mid) + c.working_days_between(mid, y)
        );
    }
}

#[test]
fn a_year_the_calendar_holds_nothing_of_makes_a_due_date_provisional() {
    let c = cal();
    assert!(c.knows_year(2026) && c.knows_year(2027) && !c.knows_year(2028));
    // Entirely in a year the data holds: certain.
    assert!(!c.add_working_days(d("2026-03-02"), 10).provisional);
    // Into 2028, whose Tết and compensatory days are not entered yet: provisional, whatever
    // its plain Monday–Friday count says (1/1/2028 is a Saturday: its compensatory Monday is
    // not in the data either).
    let r = c.add_working_days(d("2027-12-20"), 10);
    assert_eq!(r.due, d("2028-01-03"));
    assert!(r.provisional, "{r:?}");
    assert!(c.add_working_days(d("2028-03-01"), 1).provisional);
}
