//! Whether a recording stops in the middle of sound, the sign of an MP3 cut exactly between
//! two frames. Encoders pad the end of a stream with silence and recordings end after the
//! last word, so a complete file ends quiet; a cut one usually ends mid-word.

/// Analysis block (10 ms).
const BLOCK_MS: u64 = 10;
/// The final block counts as sound when it is above this level…
const ABSOLUTE_DB: f32 = -50.0;
/// …this far above the recording's noise floor (its 3rd-percentile block), so a noisy room
/// at the end of a complete recording is not taken for a cut…
const ABOVE_FLOOR_DB: f32 = 15.0;
/// …and no more than this below the loudest block.
const BELOW_LOUDEST_DB: f32 = 35.0;
/// Block levels are counted in 1 dB bins from -120 dBFS to 0 to find the noise floor.
const BINS: usize = 121;

pub(crate) struct Ending {
    block_len: usize,
    sum: f32,
    count: usize,
    last_db: f32,
    loudest_db: f32,
    histogram: [u64; BINS],
}

impl Ending {
    pub(crate) fn new(rate: u32, channels: usize) -> Self {
        let block_len = ((u64::from(rate) * BLOCK_MS / 1000) as usize * channels).max(1);
        Self {
            block_len,
            sum: 0.0,
            count: 0,
            last_db: f32::MIN,
            loudest_db: f32::MIN,
            histogram: [0; BINS],
        }
    }

    pub(crate) fn push(&mut self, interleaved: &[f32]) {
        for &sample in interleaved {
            self.sum += sample * sample;
            self.count += 1;
            if self.count == self.block_len {
                self.last_db = db(self.sum, self.count);
                self.loudest_db = self.loudest_db.max(self.last_db);
                let bin = (self.last_db + 120.0).clamp(0.0, (BINS - 1) as f32) as usize;
                self.histogram[bin] += 1;
                (self.sum, self.count) = (0.0, 0);
            }
        }
    }

    /// Whether the signal ends in sound rather than silence.
    pub(crate) fn is_abrupt(&self) -> bool {
        let last = if self.count * 2 >= self.block_len {
            db(self.sum, self.count)
        } else {
            self.last_db
        };
        last > ABSOLUTE_DB
            && last > self.noise_floor_db() + ABOVE_FLOOR_DB
            && last > self.loudest_db - BELOW_LOUDEST_DB
    }

    fn noise_floor_db(&self) -> f32 {
        let total: u64 = self.histogram.iter().sum();
        let mut seen = 0;
        for (bin, &count) in self.histogram.iter().enumerate() {
            seen += count;
            if seen * 100 >= total * 3 {
                return bin as f32 - 120.0;
            }
        }
        -120.0
    }
}

fn db(sum: f32, count: usize) -> f32 {
    10.0 * (sum / count.max(1) as f32).max(1e-12).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(frames: usize, level: f32) -> Vec<f32> {
        (0..frames)
            .map(|i| (i as f32 * 0.1).sin() * level)
            .collect()
    }

    #[test]
    fn tells_a_quiet_ending_from_a_cut() {
        let mut complete = Ending::new(16_000, 1);
        complete.push(&tone(16_000, 0.5));
        complete.push(&vec![0.0; 1_000]);
        assert!(!complete.is_abrupt());

        let mut cut = Ending::new(16_000, 1);
        cut.push(&tone(16_000, 0.5));
        cut.push(&vec![0.0; 1_000]);
        cut.push(&tone(1_152, 0.3));
        assert!(cut.is_abrupt());

        let mut faint = Ending::new(16_000, 1);
        faint.push(&tone(16_000, 0.5));
        faint.push(&tone(1_000, 0.001));
        assert!(!faint.is_abrupt());

        // A noisy room (-37 dBFS) before, between and after the speech.
        let mut noisy = Ending::new(16_000, 1);
        for _ in 0..3 {
            noisy.push(&tone(8_000, 0.02));
            noisy.push(&tone(8_000, 0.5));
        }
        noisy.push(&tone(8_000, 0.02));
        assert!(!noisy.is_abrupt());
    }
}
