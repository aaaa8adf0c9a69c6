//! Gregorian → Jalali (Persian solar hijri) dates, for the reports.
//!
//! Borkowski's algorithm as used by the jalaali-js library: the table of
//! break years of the 2820-year cycle approximation makes it agree with the
//! official Iranian calendar for Jalali years 1–3177 (outside that the date
//! is shown in Gregorian form only). No dependency carries it better than
//! these thirty lines.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike};

const BREAKS: [i32; 20] =
    [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JalaliDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// For Jalali year `jy`: whether it is leap, and the March day of the
/// Gregorian year `jy + 621` on which it begins (1 Farvardin).
fn year_start(jy: i32) -> Option<(bool, u32)> {
    if jy < BREAKS[0] || jy >= BREAKS[BREAKS.len() - 1] {
        return None;
    }
    let gy = jy + 621;
    let mut leap_j = -14;
    let mut jp = BREAKS[0];
    let mut jump = 0;
    for &jm in &BREAKS[1..] {
        jump = jm - jp;
        if jy < jm {
            break;
        }
        leap_j += jump / 33 * 8 + (jump % 33) / 4;
        jp = jm;
    }
    let mut n = jy - jp;
    leap_j += n / 33 * 8 + ((n % 33) + 3) / 4;
    if jump % 33 == 4 && jump - n == 4 {
        leap_j += 1;
    }
    let leap_g = gy / 4 - (gy / 100 + 1) * 3 / 4 - 150;
    let march = 20 + leap_j - leap_g;
    if jump - n < 6 {
        n = n - jump + (jump + 4) / 33 * 33;
    }
    let mut leap = ((n + 1) % 33 - 1) % 4;
    if leap == -1 {
        leap = 4;
    }
    Some((leap == 0, march as u32))
}

pub fn to_jalali(date: NaiveDate) -> Option<JalaliDate> {
    let gy = date.year();
    let mut jy = gy - 621;
    let (_, march) = year_start(jy)?;
    let mut k = (date - NaiveDate::from_ymd_opt(gy, 3, march)?).num_days() as i32;
    if k >= 0 {
        if k <= 185 {
            return Some(JalaliDate { year: jy, month: 1 + k as u32 / 31, day: 1 + k as u32 % 31 });
        }
        k -= 186;
    } else {
        jy -= 1;
        let (previous_leap, _) = year_start(jy)?;
        k += 179 + i32::from(previous_leap);
    }
    Some(JalaliDate { year: jy, month: 7 + k as u32 / 30, day: 1 + k as u32 % 30 })
}

/// `1403/01/01 09:30:00`, in the zone of `at`; the ISO date if out of range.
pub fn format_datetime<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    let local = at.naive_local();
    match to_jalali(local.date()) {
        Some(j) => format!(
            "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
            j.year,
            j.month,
            j.day,
            local.hour(),
            local.minute(),
            local.second()
        ),
        None => local.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jalali(y: i32, m: u32, d: u32) -> (i32, u32, u32) {
        let j = to_jalali(NaiveDate::from_ymd_opt(y, m, d).unwrap()).unwrap();
        (j.year, j.month, j.day)
    }

    #[test]
    fn known_dates() {
        assert_eq!(jalali(2024, 3, 20), (1403, 1, 1)); // Nowruz 1403
        assert_eq!(jalali(2025, 3, 20), (1403, 12, 30)); // 1403 is leap
        assert_eq!(jalali(2025, 3, 21), (1404, 1, 1));
        assert_eq!(jalali(2023, 3, 21), (1402, 1, 1));
        assert_eq!(jalali(2023, 3, 20), (1401, 12, 29));
        assert_eq!(jalali(1979, 2, 11), (1357, 11, 22));
        assert_eq!(jalali(2000, 1, 1), (1378, 10, 11));
        assert_eq!(jalali(2024, 9, 22), (1403, 7, 1)); // first day of the second half
        assert_eq!(jalali(2024, 9, 21), (1403, 6, 31));
    }

    #[test]
    fn formats_in_the_given_zone() {
        let at = chrono::Utc.with_ymd_and_hms(2024, 3, 19, 21, 0, 0).unwrap();
        assert_eq!(format_datetime(&at.with_timezone(&chrono_tz::Asia::Tehran)), "1403/01/01 00:30:00");
        assert_eq!(format_datetime(&at), "1402/12/29 21:00:00");
    }
}
