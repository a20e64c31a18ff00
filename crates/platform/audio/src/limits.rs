//! What a recording may claim to be, checked while it is decoded: a sample rate and a channel
//! count a microphone produces, a length within [`Limits::max_duration_ms`], and a length the
//! file's size can plausibly hold. A file that breaks one is refused as soon as it does —
//! from its header when the header says, else part-way through the decode — so a small file
//! cannot make hours of work.

use crate::AudioError;

/// The lowest sample rate accepted (telephone audio).
pub const MIN_SAMPLE_RATE: u32 = 8_000;
/// The highest sample rate accepted (studio audio).
pub const MAX_SAMPLE_RATE: u32 = 192_000;
/// The most channels accepted (a 7.1 layout).
pub const MAX_CHANNELS: usize = 8;
/// The fewest bytes a second of real audio takes in any accepted format. Ten minutes of
/// digital silence take 25 bytes a second as 8 kHz FLAC and 70 as Ogg Vorbis (sox's
/// defaults); a WAV whose header claims 1 Hz, or a FLAC of maximal constant blocks, takes 2.
pub const MIN_BYTES_PER_SECOND: u64 = 16;
/// The default longest recording: 4 hours.
pub const DEFAULT_MAX_DURATION_MS: u64 = 4 * 60 * 60 * 1000;

/// Bounds a decode keeps (besides the fixed ones above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A recording longer than this is [`AudioError::TooLong`].
    pub max_duration_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_duration_ms: DEFAULT_MAX_DURATION_MS,
        }
    }
}

/// The checks of one decode: a file of `file_size` bytes in a format called `name`.
pub(crate) struct Watch {
    limits: Limits,
    name: &'static str,
    file_size: u64,
}

impl Watch {
    pub(crate) fn new(limits: Limits, name: &'static str, file_size: u64) -> Self {
        Self {
            limits,
            name,
            file_size,
        }
    }

    /// The sample rate and channel count, as the header declares them or a packet decodes.
    pub(crate) fn spec(
        &self,
        rate: Option<u32>,
        channels: Option<usize>,
    ) -> Result<(), AudioError> {
        let name = self.name;
        if let Some(rate) = rate.filter(|r| !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(r)) {
            return Err(AudioError::Implausible(format!(
                "the {name} file has a sample rate of {rate} Hz; recordings must have \
                 {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz"
            )));
        }
        if let Some(n) = channels.filter(|n| !(1..=MAX_CHANNELS).contains(n)) {
            return Err(AudioError::Implausible(format!(
                "the {name} file has {n} channels; recordings must have 1–{MAX_CHANNELS}"
            )));
        }
        Ok(())
    }

    /// `frames` at `rate`: the length the header declares, or what was decoded so far.
    pub(crate) fn length(&self, frames: u64, rate: u32) -> Result<(), AudioError> {
        if rate == 0 {
            return Ok(());
        }
        let ms = frames.saturating_mul(1000) / u64::from(rate);
        if ms > self.limits.max_duration_ms {
            return Err(AudioError::TooLong {
                max_ms: self.limits.max_duration_ms,
            });
        }
        let seconds = ms / 1000;
        if seconds.saturating_mul(MIN_BYTES_PER_SECOND) > self.file_size {
            return Err(AudioError::Implausible(format!(
                "the {} file is {} bytes but holds at least {} of audio ({} bytes a second); \
                 real audio takes at least {MIN_BYTES_PER_SECOND} bytes a second, so the file \
                 misstates its length or rate",
                self.name,
                self.file_size,
                clock(ms),
                self.file_size / seconds.max(1),
            )));
        }
        Ok(())
    }
}

/// `h:mm:ss` (or `m:ss`).
pub(crate) fn clock(ms: u64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_channels_and_lengths_outside_the_bounds_are_named() {
        let watch = Watch::new(Limits::default(), "WAV", 32_044);
        let err = watch.spec(Some(1), Some(1)).unwrap_err().to_string();
        assert!(err.contains("1 Hz") && err.contains("8000–192000"), "{err}");
        let err = watch.spec(Some(16_000), Some(9)).unwrap_err().to_string();
        assert!(err.contains("9 channels"), "{err}");
        watch.spec(Some(8_000), Some(8)).unwrap();
        watch.spec(None, None).unwrap();

        // 32 KB holding 4.4 hours: 2 bytes a second.
        let err = watch.length(16_000, 1).unwrap_err();
        assert!(matches!(err, AudioError::TooLong { .. }), "{err:?}");
        let err = watch
            .length(2 * 3600 * 8_000, 8_000)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("2:00:00") && err.contains("32044 bytes"),
            "{err}"
        );
        // 30 minutes fit in 32 KB (17 bytes a second); 40 do not.
        watch.length(30 * 60 * 8_000, 8_000).unwrap();
        assert!(watch.length(40 * 60 * 8_000, 8_000).is_err());
    }
}
