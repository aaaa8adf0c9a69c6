//! How long to pause after a message: never a fixed interval. The campaign's
//! interval is the floor; on top of it comes a random extra drawn from a
//! log-normal distribution (mostly short, now and then much longer, as a
//! person's pauses are), and after every 15–25 messages (random, per number)
//! comes a long break. Typing time grows with the text.

use std::{f64::consts::TAU, time::Duration};

use rand::Rng;

use super::settings::GovernorSettings;

/// The spread of the log-normal extra (σ of its logarithm). At the default
/// median extra of 50% it gives the whole pause a coefficient of variation
/// of about 0.45 (0.40–0.44 over 1,000 draws); under 0.3 pauses look
/// machine-made (uniform jitter of +80% measured 0.09 end to end). It stays
/// at 0.3 or more for any `GOVERNOR_JITTER_PERCENT` from 30 up.
const SPREAD: f64 = 0.9;

/// The extra never exceeds this many times its median (6× the floor at the
/// default), so one unlucky draw cannot stall a campaign. Hit by about 3
/// draws in 1,000.
const LONGEST_EXTRA_IN_MEDIANS: f64 = 12.0;

/// Where a number is in its run between two long breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streak {
    /// Messages since the last long break.
    pub count: u32,
    /// After how many the next break comes (0: not drawn yet).
    pub target: u32,
}

/// The pause after one message, and the number's streak after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub length: Duration,
    /// Whether it includes a long break.
    pub long_break: bool,
    pub streak: Streak,
}

fn between(rng: &mut impl Rng, (low, high): (Duration, Duration)) -> Duration {
    if high <= low {
        return low;
    }
    rng.gen_range(low..=high)
}

/// A standard normal draw from two uniform ones (Box–Muller), which spares
/// a dependency on `rand_distr` for one distribution.
fn standard_normal(rng: &mut impl Rng) -> f64 {
    // `gen` is in [0, 1); the logarithm needs (0, 1].
    let u1 = 1.0 - rng.gen::<f64>();
    let u2 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

/// The time added to the floor: log-normal with its median at
/// `GOVERNOR_JITTER_PERCENT` of the floor, at most
/// [`LONGEST_EXTRA_IN_MEDIANS`] medians.
fn extra_above(floor: Duration, s: &GovernorSettings, rng: &mut impl Rng) -> Duration {
    let median = f64::from(s.jitter_percent) / 100.0;
    let extra = (median * (SPREAD * standard_normal(rng)).exp()).min(median * LONGEST_EXTRA_IN_MEDIANS);
    floor.mul_f64(extra)
}

/// The longest pause [`pause_after`] draws before any long break.
pub fn longest_pause(floor: Duration, s: &GovernorSettings) -> Duration {
    floor + floor.mul_f64(f64::from(s.jitter_percent) / 100.0 * LONGEST_EXTRA_IN_MEDIANS)
}

/// The pause after a message whose floor is `floor`, for a number whose
/// streak (before this message) is `streak`.
pub fn pause_after(floor: Duration, streak: Streak, s: &GovernorSettings, rng: &mut impl Rng) -> Pause {
    let mut length = floor + extra_above(floor, s, rng);
    let draw_target = |rng: &mut dyn rand::RngCore| {
        let (low, high) = s.break_every;
        if high <= low {
            low
        } else {
            rng.gen_range(low..=high)
        }
    };
    let target = if streak.target == 0 { draw_target(rng) } else { streak.target };
    let count = streak.count + 1;
    if count >= target {
        length += between(rng, s.break_length);
        return Pause { length, long_break: true, streak: Streak { count: 0, target: draw_target(rng) } };
    }
    Pause { length, long_break: false, streak: Streak { count, target } }
}

/// How long "typing…" shows for `text`: about 40 ms a character (a fast
/// typist), within the configured bounds.
pub fn typing_time(text: &str, s: &GovernorSettings, rng: &mut impl Rng) -> Duration {
    let (low, high) = s.typing;
    let chars = text.chars().count() as u32;
    let natural = Duration::from_millis(40) * chars;
    let wobble = between(rng, (Duration::ZERO, low / 2));
    (natural + wobble).clamp(low, high)
}

/// [`typing_time`] with the thread's random numbers.
pub fn typing_for(text: &str, s: &GovernorSettings) -> Duration {
    typing_time(text, s, &mut rand::thread_rng())
}

#[cfg(test)]
mod tests {
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    fn settings() -> GovernorSettings {
        GovernorSettings::default()
    }

    /// `count` pauses at `floor` with the long breaks out of the way, in seconds.
    fn pauses_without_breaks(floor: Duration, s: &GovernorSettings, seed: u64, count: usize) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..count)
            .map(|_| pause_after(floor, Streak { count: 0, target: u32::MAX }, s, &mut rng).length.as_secs_f64())
            .collect()
    }

    #[test]
    fn pauses_vary_like_a_persons_with_a_cv_of_at_least_0_3_and_stay_between_floor_and_clamp() {
        let floor = Duration::from_secs(5);
        let gaps = pauses_without_breaks(floor, &settings(), 11, 1000);
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
        assert!(sd / mean >= 0.3, "coefficient of variation {}", sd / mean);
        let longest = longest_pause(floor, &settings()).as_secs_f64();
        for gap in gaps {
            assert!(gap >= floor.as_secs_f64() && gap <= longest, "{gap} s outside {floor:?}..={longest} s");
        }
    }

    #[test]
    fn the_typical_pause_is_the_floor_plus_the_jitter_percent_and_some_are_much_longer() {
        let floor = Duration::from_secs(10);
        let mut gaps = pauses_without_breaks(floor, &settings(), 7, 1000);
        gaps.sort_by(f64::total_cmp);
        let median = gaps[gaps.len() / 2];
        assert!((13.5..=16.5).contains(&median), "median {median} s, expected about 15 s");
        let beyond_triple = gaps.iter().filter(|g| **g > 30.0).count();
        assert!((10..=100).contains(&beyond_triple), "{beyond_triple} pauses over three floors");
    }

    #[test]
    fn a_jitter_of_zero_pauses_exactly_the_floor() {
        let s = GovernorSettings { jitter_percent: 0, ..settings() };
        let gaps = pauses_without_breaks(Duration::from_secs(5), &s, 1, 100);
        assert!(gaps.iter().all(|g| *g == 5.0), "{gaps:?}");
    }

    #[test]
    fn a_long_break_comes_after_fifteen_to_twenty_five_messages() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut streak = Streak { count: 0, target: 0 };
        let mut since_break = 0;
        let mut breaks = 0;
        for _ in 0..2000 {
            let pause = pause_after(Duration::from_secs(5), streak, &settings(), &mut rng);
            since_break += 1;
            if pause.long_break {
                assert!((15..=25).contains(&since_break), "{since_break}");
                assert!(pause.length >= Duration::from_secs(65));
                since_break = 0;
                breaks += 1;
            }
            streak = pause.streak;
        }
        assert!(breaks >= 2000 / 25);
    }

    #[test]
    fn typing_grows_with_the_text_within_its_bounds() {
        let mut rng = StdRng::seed_from_u64(5);
        let s = settings();
        let short = typing_time("سلام", &s, &mut rng);
        let long = typing_time(&"پیام ".repeat(40), &s, &mut rng);
        let huge = typing_time(&"x".repeat(10_000), &s, &mut rng);
        assert!(short >= Duration::from_secs(1) && short < long, "{short:?} {long:?}");
        assert_eq!(huge, Duration::from_secs(6));
    }
}
