//! Whisper's log-mel front end, matching `whisper/audio.py` (and faster-whisper):
//! zero-pad the chunk to 30 s, centred STFT (n_fft 400, hop 160, periodic Hann,
//! reflect padding), power spectrum, Slaney mel filters, `log10`, clamp to
//! `max - 8`, then `(x + 4) / 4`.
//!
//! ct2rs's own `Whisper` front end normalises each frame separately and fills the
//! padding with zeros, which is not what the models were trained on, so it is not used.

use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

pub(crate) const SAMPLE_RATE: usize = 16_000;
pub(crate) const N_SAMPLES: usize = 30 * SAMPLE_RATE;
pub(crate) const N_FRAMES: usize = N_SAMPLES / HOP_LENGTH;
const N_FFT: usize = 400;
const HOP_LENGTH: usize = 160;
const N_BINS: usize = N_FFT / 2 + 1;

/// Precomputed filters, window and FFT plan; cheap to share between threads.
pub(crate) struct MelExtractor {
    n_mels: usize,
    /// `n_mels x N_BINS`, row-major.
    filters: Vec<f32>,
    window: Vec<f32>,
    fft: Arc<dyn Fft<f32>>,
}

impl MelExtractor {
    pub(crate) fn new(n_mels: usize) -> Self {
        let window = (0..N_FFT)
            .map(|n| {
                let phase = 2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        Self {
            n_mels,
            filters: slaney_mel_filters(n_mels),
            window,
            fft: FftPlanner::new().plan_fft_forward(N_FFT),
        }
    }

    /// Features of one chunk of at most 30 s, shaped `[n_mels, N_FRAMES]` row-major.
    pub(crate) fn features(&self, samples: &[f32]) -> Vec<f32> {
        debug_assert!(samples.len() <= N_SAMPLES);
        let mut padded = samples.to_vec();
        padded.resize(N_SAMPLES, 0.0);
        let signal = reflect_pad(&padded, N_FFT / 2);

        let mut out = vec![0.0f32; self.n_mels * N_FRAMES];
        let mut buf = vec![Complex32::new(0.0, 0.0); N_FFT];
        let mut scratch = vec![Complex32::new(0.0, 0.0); self.fft.get_inplace_scratch_len()];
        let mut power = [0.0f32; N_BINS];
        // torch.stft yields N_FRAMES + 1 frames; Whisper drops the last one.
        for frame in 0..N_FRAMES {
            let start = frame * HOP_LENGTH;
            for (i, slot) in buf.iter_mut().enumerate() {
                *slot = Complex32::new(signal[start + i] * self.window[i], 0.0);
            }
            self.fft.process_with_scratch(&mut buf, &mut scratch);
            for (p, c) in power.iter_mut().zip(&buf) {
                *p = c.norm_sqr();
            }
            for (m, row) in self.filters.chunks_exact(N_BINS).enumerate() {
                let energy: f32 = row.iter().zip(&power).map(|(w, p)| w * p).sum();
                out[m * N_FRAMES + frame] = energy.max(1e-10).log10();
            }
        }
        let max = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        for v in &mut out {
            *v = (v.max(max - 8.0) + 4.0) / 4.0;
        }
        out
    }
}

/// `numpy.pad(x, pad, mode="reflect")`: mirrors without repeating the edge sample.
fn reflect_pad(x: &[f32], pad: usize) -> Vec<f32> {
    let n = x.len();
    let mut out = Vec::with_capacity(n + 2 * pad);
    out.extend((1..=pad).rev().map(|i| x[i]));
    out.extend_from_slice(x);
    out.extend((0..pad).map(|i| x[n - 2 - i]));
    out
}

fn hz_to_mel(hz: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= MIN_LOG_HZ {
        min_log_mel + (hz / MIN_LOG_HZ).ln() / logstep
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (logstep * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

/// `librosa.filters.mel(sr=16000, n_fft=400, n_mels=n_mels)` (Slaney scale and norm).
fn slaney_mel_filters(n_mels: usize) -> Vec<f32> {
    let fmax = SAMPLE_RATE as f64 / 2.0;
    let fft_freqs: Vec<f64> = (0..N_BINS)
        .map(|k| k as f64 * SAMPLE_RATE as f64 / N_FFT as f64)
        .collect();
    let (mel_min, mel_max) = (hz_to_mel(0.0), hz_to_mel(fmax));
    let mel_freqs: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(mel_min + (mel_max - mel_min) * i as f64 / (n_mels + 1) as f64))
        .collect();

    let mut filters = Vec::with_capacity(n_mels * N_BINS);
    for m in 0..n_mels {
        let (lo, mid, hi) = (mel_freqs[m], mel_freqs[m + 1], mel_freqs[m + 2]);
        let norm = 2.0 / (hi - lo);
        for &f in &fft_freqs {
            let lower = (f - lo) / (mid - lo);
            let upper = (hi - f) / (hi - mid);
            filters.push((lower.min(upper).max(0.0) * norm) as f32);
        }
    }
    filters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_pad_mirrors_without_the_edge() {
        assert_eq!(
            reflect_pad(&[1.0, 2.0, 3.0, 4.0], 2),
            vec![3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0]
        );
    }

    #[test]
    fn filters_match_librosa_reference_values() {
        // librosa.filters.mel(sr=16000, n_fft=400, n_mels=80): row 0 peaks at bin 1
        // with 0.02486259 and row 79 is non-zero only near Nyquist.
        let f = slaney_mel_filters(80);
        assert!((f[1] - 0.024_862_59).abs() < 1e-6, "{}", f[1]);
        assert_eq!(f[0], 0.0);
        let last = &f[79 * N_BINS..];
        assert!(last[..180].iter().all(|&w| w == 0.0));
        assert!(last[195] > 0.0);
    }

    #[test]
    fn silence_is_flat_and_a_tone_lights_its_band() {
        let mel = MelExtractor::new(80);
        let silent = mel.features(&[]);
        assert_eq!(silent.len(), 80 * N_FRAMES);
        assert!(silent.iter().all(|&v| (v - silent[0]).abs() < 1e-6));

        let tone: Vec<f32> = (0..SAMPLE_RATE)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16_000.0).sin() * 0.5)
            .collect();
        let feats = mel.features(&tone);
        let frame = 50;
        let column: Vec<f32> = (0..80).map(|m| feats[m * N_FRAMES + frame]).collect();
        let peak = (0..80)
            .max_by(|&a, &b| column[a].total_cmp(&column[b]))
            .unwrap();
        // 1 kHz sits at mel 15 of 0..~45.2, i.e. filter ~26 of 80.
        assert!((25..=27).contains(&peak), "peak band {peak}");
        assert!(
            (column[peak] - 1.5).abs() < 0.6,
            "max after normalisation is (max+4)/4"
        );
    }
}
