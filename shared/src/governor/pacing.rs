//! How long to pause after a message: never a fixed interval. The campaign's
//! interval is the floor; random jitter is added on top, and after every
//! 15–25 messages (random, per number) comes a long break. Typing time grows
//! with the text.

use std::time::Duration;

use rand::Rng;

use super::settings::GovernorSettings;

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

/// The pause after a message whose floor is `floor`, for a number whose
/// streak (before this message) is `streak`.
pub fn pause_after(floor: Duration, streak: Streak, s: &GovernorSettings, rng: &mut impl Rng) -> Pause {
    let jitter = floor.mul_f64(f64::from(s.jitter_percent) / 100.0);
    let mut length = between(rng, (floor, floor + jitter));
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

    #[test]
    fn every_pause_is_at_least_the_floor_and_at_most_the_jitter_above_it() {
        let mut rng = StdRng::seed_from_u64(7);
        let floor = Duration::from_secs(10);
        let mut streak = Streak { count: 0, target: 0 };
        for _ in 0..1000 {
            let pause = pause_after(floor, streak, &settings(), &mut rng);
            assert!(pause.length >= floor);
            if !pause.long_break {
                assert!(pause.length <= Duration::from_secs(18), "{:?}", pause.length);
            }
            streak = pause.streak;
        }
    }

    #[test]
    fn pauses_vary_enough_to_look_human() {
        let mut rng = StdRng::seed_from_u64(11);
        let floor = Duration::from_secs(5);
        let s = GovernorSettings { break_every: (10_000, 10_000), ..settings() };
        let gaps: Vec<f64> = (0..500)
            .map(|_| pause_after(floor, Streak { count: 0, target: 10_000 }, &s, &mut rng).length.as_secs_f64())
            .collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
        assert!(sd / mean >= 0.1, "coefficient of variation {}", sd / mean);
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
