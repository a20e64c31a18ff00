//! Mono mix-down and streaming resampling to [`TARGET_RATE`] with rubato.
//!
//! Rates with a small common divisor with 16 kHz (44.1, 48, 22.05, 8 kHz…) use rubato's FFT
//! resampler, which is fast and exact for a fixed ratio; odd rates whose FFT would be huge
//! use its sinc resampler. Either way the input goes through in fixed chunks, and the output
//! is handed on as it is made ([`Resampler::drain`]), so nothing is held in full.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use crate::decode::Out;
use crate::{AudioError, TARGET_RATE};

/// Input frames per resampler call.
const CHUNK: usize = 1024;
/// The FFT resampler works in blocks of `rate / gcd(rate, 16 kHz)` frames; above this it is
/// slower than sinc interpolation.
const MAX_FFT_BLOCK: u32 = 2048;

pub(crate) struct Resampler {
    /// `None` when the input is already at the target rate.
    inner: Option<Box<dyn rubato::Resampler<f32>>>,
    ratio: f64,
    input_frames: u64,
    /// Mono input not yet resampled (less than a chunk between calls).
    pending: Vec<f32>,
    /// Output of one resampler call.
    scratch: Vec<f32>,
    /// Output frames still to drop: the resampler's start-up delay.
    delay: usize,
    /// Output not yet handed on.
    out: Vec<f32>,
    /// Output handed on so far.
    emitted: usize,
}

impl Resampler {
    pub(crate) fn new(rate: u32) -> Result<Self, AudioError> {
        let ratio = f64::from(TARGET_RATE) / f64::from(rate);
        let inner: Option<Box<dyn rubato::Resampler<f32>>> = if rate == TARGET_RATE {
            None
        } else if rate / gcd(rate, TARGET_RATE) <= MAX_FFT_BLOCK {
            let fft = Fft::<f32>::new(
                rate as usize,
                TARGET_RATE as usize,
                CHUNK,
                1,
                FixedSync::Input,
            )
            .map_err(|err| {
                AudioError::Undecodable(format!("cannot resample from {rate} Hz: {err}"))
            })?;
            Some(Box::new(fft))
        } else {
            let params = SincInterpolationParameters::new(128, WindowFunction::BlackmanHarris2)
                .oversampling_factor(256)
                .interpolation(SincInterpolationType::Cubic);
            let sinc = Async::<f32>::new_sinc(ratio, 1.0, &params, CHUNK, 1, FixedAsync::Input)
                .map_err(|err| {
                    AudioError::Undecodable(format!("cannot resample from {rate} Hz: {err}"))
                })?;
            Some(Box::new(sinc))
        };
        let (scratch, delay) = match &inner {
            Some(inner) => (vec![0.0; inner.output_frames_max()], inner.output_delay()),
            None => (Vec::new(), 0),
        };
        Ok(Self {
            inner,
            ratio,
            input_frames: 0,
            pending: Vec::with_capacity(2 * CHUNK),
            scratch,
            delay,
            out: Vec::new(),
            emitted: 0,
        })
    }

    /// Mixes interleaved `samples` down to mono and resamples what makes whole chunks.
    pub(crate) fn push(&mut self, samples: &[f32], channels: usize) -> Result<(), AudioError> {
        let scale = 1.0 / channels as f32;
        let mono = samples
            .chunks_exact(channels)
            .map(|frame| frame.iter().sum::<f32>() * scale);
        self.input_frames += (samples.len() / channels) as u64;
        if self.inner.is_none() {
            self.out.extend(mono.map(|s| s.clamp(-1.0, 1.0)));
            return Ok(());
        }
        self.pending.extend(mono);
        while self.pending.len() >= self.next_input_len() {
            self.process_chunk()?;
        }
        Ok(())
    }

    /// Hands the output made so far to `out` and forgets it.
    pub(crate) fn drain(&mut self, out: &mut Out<'_>) -> Result<(), AudioError> {
        if !self.out.is_empty() {
            out(&self.out)?;
            self.emitted += self.out.len();
            self.out.clear();
        }
        Ok(())
    }

    /// Flushes the resampler into `out`: the whole signal handed on is exactly
    /// `ceil(input × ratio)` long.
    pub(crate) fn finish(mut self, out: &mut Out<'_>) -> Result<(), AudioError> {
        if self.inner.is_some() {
            let expected = (self.input_frames as f64 * self.ratio).ceil() as usize;
            while self.emitted + self.out.len() < expected {
                // Zeros push the tail of the signal through the filter.
                let need = self.next_input_len();
                self.pending.resize(need.max(self.pending.len()), 0.0);
                self.process_chunk()?;
            }
            self.out.truncate(expected.saturating_sub(self.emitted));
        }
        self.drain(out)
    }

    fn next_input_len(&self) -> usize {
        self.inner
            .as_ref()
            .map_or(0, |inner| inner.input_frames_next())
    }

    fn process_chunk(&mut self) -> Result<(), AudioError> {
        let Some(inner) = self.inner.as_mut() else {
            return Ok(());
        };
        let need = inner.input_frames_next();
        let failed = |err: &dyn std::fmt::Display| {
            AudioError::Undecodable(format!("resampling failed: {err}"))
        };
        let input =
            InterleavedSlice::new(&self.pending[..need], 1, need).map_err(|e| failed(&e))?;
        let frames = self.scratch.len();
        let mut output =
            InterleavedSlice::new_mut(&mut self.scratch, 1, frames).map_err(|e| failed(&e))?;
        let (used, written) = inner
            .process_into_buffer(&input, &mut output, None)
            .map_err(|e| failed(&e))?;
        self.pending.drain(..used);
        let skip = self.delay.min(written);
        self.delay -= skip;
        self.out.extend(
            self.scratch[skip..written]
                .iter()
                .map(|s| s.clamp(-1.0, 1.0)),
        );
        Ok(())
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f32, seconds: f32, channels: usize) -> Vec<f32> {
        let frames = (rate as f32 * seconds) as usize;
        (0..frames)
            .flat_map(|i| {
                let s = (std::f32::consts::TAU * hz * i as f32 / rate as f32).sin() * 0.5;
                std::iter::repeat_n(s, channels)
            })
            .collect()
    }

    fn resample(rate: u32, samples: &[f32], channels: usize) -> Vec<f32> {
        let mut resampler = Resampler::new(rate).unwrap();
        let mut out = Vec::new();
        let mut collect = |piece: &[f32]| {
            out.extend_from_slice(piece);
            Ok(())
        };
        // Uneven pieces, as packets arrive, handed on as they are resampled.
        for piece in samples.chunks(1152 * channels) {
            resampler.push(piece, channels).unwrap();
            resampler.drain(&mut collect).unwrap();
        }
        resampler.finish(&mut collect).unwrap();
        out
    }

    /// The dominant frequency by zero crossings.
    fn frequency(samples: &[f32], rate: u32) -> f32 {
        let crossings = samples
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        crossings as f32 * rate as f32 / samples.len() as f32
    }

    #[test]
    fn keeps_length_and_pitch_from_common_rates() {
        for rate in [8_000, 22_050, 44_100, 48_000, 44_056] {
            let out = resample(rate, &tone(rate, 440.0, 2.0, 2), 2);
            assert_eq!(out.len(), 32_000, "from {rate} Hz");
            let pitch = frequency(&out[1000..31_000], TARGET_RATE);
            assert!((pitch - 440.0).abs() < 3.0, "from {rate} Hz: {pitch} Hz");
            // The delay is trimmed: the tone starts at once, at its level.
            let peak = out[..200].iter().fold(0.0f32, |m, s| m.max(s.abs()));
            assert!(peak > 0.3, "from {rate} Hz: starts at {peak}");
        }
    }

    #[test]
    fn passes_16k_through_and_averages_channels() {
        let stereo: Vec<f32> = (0..100).flat_map(|_| [0.5, -0.1]).collect();
        let out = resample(16_000, &stereo, 2);
        assert_eq!(out.len(), 100);
        assert!(out.iter().all(|&s| (s - 0.2).abs() < 1e-6));
    }
}
