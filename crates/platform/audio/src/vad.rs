//! Energy-based voice-activity chunking.
//!
//! 1. Each `frame_ms` frame gets its RMS level in dBFS.
//! 2. The threshold adapts to the recording: the noise floor (10th percentile of frame levels)
//!    plus a margin, but no higher than the loud frames (90th percentile) minus a margin, so
//!    continuous speech is not taken for noise; then clamped to absolute bounds, so digital
//!    silence stays silent and a constant loud tone counts as sound.
//! 3. Runs of frames above the threshold are joined across pauses shorter than
//!    `min_silence_ms` (the hangover that keeps short dips from cutting words).
//! 4. Stretches shorter than `min_speech_ms` are dropped; longer than `max_chunk_ms` (less the
//!    padding) are cut at the quietest frame of the second half of the allowed window.
//! 5. `pad_ms` is added on each side, clamped to the signal and to the neighbours.

use crate::{Span, VadOptions};

/// Levels are floored here so that digital silence has a finite level.
const FLOOR_DB: f32 = -100.0;
/// Above the noise floor / below the loud frames, in dB.
const MARGIN_DB: f32 = 10.0;
/// No threshold is below this: quieter than -50 dBFS is never speech.
const MIN_THRESHOLD_DB: f32 = -50.0;
/// No threshold is above this: louder than -20 dBFS is always sound.
const MAX_THRESHOLD_DB: f32 = -20.0;

pub(crate) fn split_on_silence(
    samples: &[f32],
    sample_rate: u32,
    options: &VadOptions,
) -> Vec<Span> {
    let mut meter = Meter::new(sample_rate, options);
    meter.push(samples);
    meter.spans(options)
}

/// Frame levels of a signal that arrives piece by piece: all the chunking needs to keep of
/// it (4 bytes a frame, 480 KB for an hour at 30 ms frames).
pub(crate) struct Meter {
    sample_rate: u32,
    frame_len: usize,
    levels: Vec<f32>,
    /// The frame being measured: its sum of squares and length.
    power: f32,
    filled: usize,
    total: usize,
}

impl Meter {
    pub(crate) fn new(sample_rate: u32, options: &VadOptions) -> Self {
        let frame_ms = options.frame_ms.max(1);
        let frame_len = ((u64::from(sample_rate) * u64::from(frame_ms) / 1000) as usize).max(1);
        Self {
            sample_rate,
            frame_len,
            levels: Vec::new(),
            power: 0.0,
            filled: 0,
            total: 0,
        }
    }

    pub(crate) fn push(&mut self, samples: &[f32]) {
        self.total += samples.len();
        for s in samples {
            self.power += s * s;
            self.filled += 1;
            if self.filled == self.frame_len {
                self.close_frame();
            }
        }
    }

    fn close_frame(&mut self) {
        let level = (10.0 * (self.power / self.filled as f32).log10()).max(FLOOR_DB);
        self.levels.push(level);
        (self.power, self.filled) = (0.0, 0);
    }

    /// The stretches of speech in everything pushed (see [`crate::split_on_silence`]).
    pub(crate) fn spans(mut self, options: &VadOptions) -> Vec<Span> {
        if self.filled > 0 {
            self.close_frame();
        }
        if self.total == 0 || self.sample_rate == 0 {
            return Vec::new();
        }
        spans_of(
            &self.levels,
            self.frame_len,
            self.total,
            self.sample_rate,
            options,
        )
    }
}

/// The spans of a signal of `total` samples measured as `levels` of `frame_len` samples.
fn spans_of(
    levels: &[f32],
    frame_len: usize,
    total: usize,
    sample_rate: u32,
    options: &VadOptions,
) -> Vec<Span> {
    let frame_ms = options.frame_ms.max(1);
    let threshold = threshold_db(levels);
    let frames_for = |ms: u32| (ms as usize).div_ceil(frame_ms as usize);

    let runs = voiced_runs(levels, threshold);
    let joined = join_runs(runs, frames_for(options.min_silence_ms).saturating_sub(1));
    let min_speech = options.min_speech_ms as usize;
    let kept = joined
        .into_iter()
        .filter(|r| (r.1 - r.0) * frame_ms as usize >= min_speech);

    // Padding counts against the maximum length; keep at least half the window for speech.
    let pad_ms = options.pad_ms.min(options.max_chunk_ms / 4);
    let limit = ((options.max_chunk_ms - 2 * pad_ms) / frame_ms).max(1) as usize;
    let pieces: Vec<(usize, usize)> = kept.flat_map(|run| cut_long(run, limit, levels)).collect();

    let pad = (u64::from(sample_rate) * u64::from(pad_ms) / 1000) as usize;
    let to_sample = |frame: usize| (frame * frame_len).min(total);
    let mut spans: Vec<Span> = Vec::with_capacity(pieces.len());
    for (i, &(start, end)) in pieces.iter().enumerate() {
        let floor = spans.last().map_or(0, |s| s.end);
        let ceiling = pieces.get(i + 1).map_or(total, |next| to_sample(next.0));
        spans.push(Span {
            start: to_sample(start).saturating_sub(pad).max(floor),
            end: (to_sample(end) + pad).min(ceiling),
        });
    }
    spans
}

pub(crate) fn pack(spans: &[Span], sample_rate: u32, max_ms: u32, max_gap_ms: u32) -> Vec<Span> {
    if max_ms == 0 {
        return spans.to_vec();
    }
    let samples_in = |ms: u32| (u64::from(sample_rate) * u64::from(ms) / 1000) as usize;
    let (max_len, max_gap) = (samples_in(max_ms), samples_in(max_gap_ms));
    let mut packed: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match packed.last_mut() {
            Some(last)
                if span.end.saturating_sub(last.start) <= max_len
                    && span.start.saturating_sub(last.end) <= max_gap =>
            {
                last.end = span.end;
            }
            _ => packed.push(*span),
        }
    }
    packed
}

fn threshold_db(levels: &[f32]) -> f32 {
    let mut sorted = levels.to_vec();
    sorted.sort_by(f32::total_cmp);
    let percentile = |p: usize| sorted[(sorted.len() - 1) * p / 100];
    let adaptive = (percentile(10) + MARGIN_DB).min(percentile(90) - MARGIN_DB);
    adaptive.clamp(MIN_THRESHOLD_DB, MAX_THRESHOLD_DB)
}

/// `start..end` frame ranges above the threshold.
fn voiced_runs(levels: &[f32], threshold: f32) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, &level) in levels.iter().enumerate() {
        match (level > threshold, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, levels.len()));
    }
    runs
}

/// Joins runs separated by fewer than `max_gap` frames (one less than the pause that ends a
/// chunk). The allowance of one frame makes
/// up for the frames at a pause's edges, which hold some speech and so read as voiced.
fn join_runs(runs: Vec<(usize, usize)>, max_gap: usize) -> Vec<(usize, usize)> {
    let mut joined: Vec<(usize, usize)> = Vec::with_capacity(runs.len());
    for run in runs {
        match joined.last_mut() {
            Some(last) if run.0 - last.1 < max_gap.max(1) => last.1 = run.1,
            _ => joined.push(run),
        }
    }
    joined
}

/// Cuts a run into pieces of at most `limit` frames, each at the quietest frame between half
/// and all of the limit (the latest such frame, so pieces stay long).
fn cut_long((mut start, end): (usize, usize), limit: usize, levels: &[f32]) -> Vec<(usize, usize)> {
    let mut pieces = Vec::new();
    while end - start > limit {
        let window = (start + limit / 2).max(start + 1)..=start + limit;
        let cut = window
            .rev()
            .min_by(|&a, &b| levels[a].total_cmp(&levels[b]))
            .unwrap_or(start + limit);
        pieces.push((start, cut));
        start = cut;
    }
    pieces.push((start, end));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 16_000;

    /// A signal described as (milliseconds, amplitude of a 440 Hz tone; 0 for silence).
    fn signal(parts: &[(u32, f32)]) -> Vec<f32> {
        let mut out = Vec::new();
        for &(ms, amplitude) in parts {
            let n = (RATE * ms / 1000) as usize;
            let start = out.len();
            out.extend((0..n).map(|i| {
                let t = (start + i) as f32 / RATE as f32;
                (std::f32::consts::TAU * 440.0 * t).sin() * amplitude
            }));
        }
        out
    }

    fn at(ms: u32) -> usize {
        (RATE * ms / 1000) as usize
    }

    fn split(samples: &[f32]) -> Vec<Span> {
        split_on_silence(samples, RATE, &VadOptions::default())
    }

    #[test]
    fn silence_and_empty_input_have_no_chunks() {
        assert!(split(&[]).is_empty());
        assert!(split(&signal(&[(5_000, 0.0)])).is_empty());
        // Faint hiss (about -66 dBFS) is not speech either.
        let hiss: Vec<f32> = (0..at(3_000))
            .map(|i| if i % 2 == 0 { 5e-4 } else { -5e-4 })
            .collect();
        assert!(split(&hiss).is_empty());
        assert!(split_on_silence(&[0.5; 100], 0, &VadOptions::default()).is_empty());
    }

    #[test]
    fn a_long_pause_ends_a_chunk_and_the_cut_falls_inside_it() {
        let samples = signal(&[
            (1_000, 0.0),
            (1_000, 0.5),
            (1_500, 0.0),
            (800, 0.5),
            (1_000, 0.0),
        ]);
        let spans = split(&samples);
        assert_eq!(spans.len(), 2, "{spans:?}");
        // Padded by 150 ms (±1 frame) around each burst.
        assert!(spans[0].start.abs_diff(at(850)) <= at(30), "{spans:?}");
        assert!(spans[0].end.abs_diff(at(2_150)) <= at(30), "{spans:?}");
        assert!(spans[1].start.abs_diff(at(3_350)) <= at(30), "{spans:?}");
        assert!(spans[1].end.abs_diff(at(4_450)) <= at(30), "{spans:?}");
    }

    #[test]
    fn a_short_dip_does_not_cut_a_word() {
        let samples = signal(&[(500, 0.0), (600, 0.5), (300, 0.0), (600, 0.5), (500, 0.0)]);
        assert_eq!(split(&samples).len(), 1);
        // The same dip ends a chunk when the minimum pause is shorter than it.
        let options = VadOptions {
            min_silence_ms: 250,
            ..VadOptions::default()
        };
        assert_eq!(split_on_silence(&samples, RATE, &options).len(), 2);
    }

    #[test]
    fn clicks_shorter_than_the_minimum_speech_are_dropped() {
        let samples = signal(&[
            (1_000, 0.0),
            (90, 0.8),
            (1_000, 0.0),
            (600, 0.5),
            (1_000, 0.0),
        ]);
        let spans = split(&samples);
        assert_eq!(spans.len(), 1, "{spans:?}");
        // The tone starts at 2 090 ms; with padding the chunk starts near 1 940 ms.
        assert!(spans[0].start > at(1_800), "{spans:?}");
    }

    #[test]
    fn spans_are_packed_up_to_the_window_without_long_pauses() {
        let s = |a: u32, b: u32| Span {
            start: at(a),
            end: at(b),
        };
        let spans = [
            s(0, 3_000),
            s(4_000, 7_000),
            s(8_000, 20_000),
            s(21_000, 29_000),
            s(40_000, 42_000),
        ];
        // The first three fit in 28 s; the fourth would make 29 s; the fifth follows an
        // 11 s pause.
        let packed = pack(&spans, RATE, 28_000, 3_000);
        assert_eq!(
            packed,
            vec![s(0, 20_000), s(21_000, 29_000), s(40_000, 42_000)]
        );
        let two_gap = pack(&spans, RATE, 28_000, 999);
        assert_eq!(two_gap, spans.to_vec(), "every pause is longer than 999 ms");
        assert_eq!(
            pack(&spans, RATE, 0, 3_000),
            spans.to_vec(),
            "0 disables packing"
        );
        assert!(pack(&[], RATE, 28_000, 3_000).is_empty());
    }

    #[test]
    fn padding_is_clamped_to_the_signal() {
        let samples = signal(&[(1_000, 0.5)]);
        assert_eq!(
            split(&samples),
            vec![Span {
                start: 0,
                end: samples.len()
            }]
        );
    }

    #[test]
    fn a_continuous_tone_is_cut_into_chunks_no_longer_than_the_maximum() {
        let samples = signal(&[(70_000, 0.5)]);
        let spans = split(&samples);
        assert_eq!(spans.len(), 3, "{spans:?}");
        assert_eq!((spans[0].start, spans[2].end), (0, samples.len()));
        for pair in spans.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "{spans:?}");
        }
        assert!(
            spans.iter().all(|s| s.end - s.start <= at(28_000)),
            "{spans:?}"
        );
    }

    #[test]
    fn a_long_stretch_is_cut_at_its_quietest_moment() {
        // 40 s of sound with a 200 ms dip (too short to end a chunk) at 20 s.
        let samples = signal(&[(20_000, 0.5), (200, 0.02), (19_800, 0.5)]);
        let spans = split(&samples);
        assert_eq!(spans.len(), 2, "{spans:?}");
        let cut = spans[0].end;
        assert!(
            (at(20_000)..=at(20_200)).contains(&cut),
            "cut at {cut}, {spans:?}"
        );
    }

    #[test]
    fn quiet_speech_in_a_noisy_room_is_found() {
        // Hum at -46 dBFS, speech at -26 dBFS.
        let mut samples = signal(&[(2_000, 0.0), (1_000, 0.07), (2_000, 0.0)]);
        for (i, s) in samples.iter_mut().enumerate() {
            *s += (i as f32 * 0.37).sin() * 0.007;
        }
        let spans = split(&samples);
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert!(spans[0].start.abs_diff(at(1_850)) <= at(60), "{spans:?}");
    }
}
