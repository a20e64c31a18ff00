//! Audio for speech-to-text: format sniffing, decoding (symphonia) to 16 kHz mono,
//! energy-based voice-activity chunking, and 16-bit WAV for chunks.
//!
//! Layout:
//! - `sniff`: the format from a file's first bytes (and MPEG frame headers).
//! - `integrity`: structural checks symphonia does not make: a WAV `data` chunk, an MP3
//!   frame or an Ogg page that runs past the end of the file, an MP3 shorter than its
//!   Xing/Info header says, an Ogg stream without its end-of-stream page.
//! - `ending`: for an MP3 with no length header, whether it stops mid-sound (cut exactly
//!   between two frames).
//! - `decode`: opens a file, demuxes and decodes it packet by packet (symphonia; Opus via the
//!   pure-Rust `opus-decoder`, in `opus`), and hands interleaved `f32` to a sink.
//! - `limits`: what a recording may claim to be ([`Limits`]: sample rate, channels, length,
//!   bytes per second), checked during every decode so a small file cannot make hours of work.
//! - `resample`: mono mix-down and streaming FFT resampling (rubato) to [`TARGET_RATE`].
//! - `vad`: energy-based voice-activity chunking.
//! - `cut`: a recording cut into chunk files at pauses in one streaming pass.
//! - `wav`: 16-bit PCM mono WAV in and out.

#![forbid(unsafe_code)]

use std::path::Path;

mod cut;
mod decode;
mod ending;
mod integrity;
mod limits;
mod opus;
mod resample;
mod sniff;
mod vad;
mod wav;

pub use cut::{Cut, CutOptions};
pub use limits::{
    Limits, DEFAULT_MAX_DURATION_MS, MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_BYTES_PER_SECOND,
    MIN_SAMPLE_RATE,
};

/// What Quorum reads, for messages: the formats and the codecs inside them.
pub const SUPPORTED_FORMATS: &str = "WAV, FLAC, MP3, Ogg (Vorbis or Opus), M4A/MP4 (AAC) \
     and WebM/Matroska (Opus or Vorbis)";

/// The sample rate every decoded signal is resampled to (Whisper's).
pub const TARGET_RATE: u32 = 16_000;

/// Container/codec families Quorum accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Wav,
    Flac,
    Mp3,
    Ogg,
    M4a,
    Webm,
}

impl Format {
    /// `wav`, `flac`, `mp3`, `ogg`, `m4a`, `webm` (also the file extension).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Flac => "flac",
            Self::Mp3 => "mp3",
            Self::Ogg => "ogg",
            Self::M4a => "m4a",
            Self::Webm => "webm",
        }
    }
}

/// Why audio could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// Not a format Quorum reads (→ 415). The message says what was seen and what is supported.
    #[error("{0}")]
    Unsupported(String),
    /// A supported container whose audio cannot be decoded: truncated, corrupt, no audio
    /// track (→ 422). The message says what is wrong.
    #[error("{0}")]
    Undecodable(String),
    /// No bytes, or no samples.
    #[error("the recording is empty")]
    Empty,
    /// A sample rate, channel count or length no real recording has (a header that claims
    /// 1 Hz, hours of audio in a few kilobytes) (→ 422). The message says which.
    #[error("{0}")]
    Implausible(String),
    /// Longer than [`Limits::max_duration_ms`] (→ 422).
    #[error("the recording is longer than the limit of {}", limits::clock(*max_ms))]
    TooLong { max_ms: u64 },
    #[error("reading the recording: {0}")]
    Io(#[from] std::io::Error),
}

/// What [`probe`] learns by decoding a whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub format: Format,
    pub duration_ms: u64,
    pub sample_rate: u32,
    pub channels: u16,
}

/// Mono samples in `[-1, 1]` at `sample_rate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcm {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
}

/// A stretch of a signal, in samples: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Voice-activity chunking parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct VadOptions {
    /// Analysis frame (default 30 ms).
    pub frame_ms: u32,
    /// A pause at least this long ends a chunk (default 500 ms).
    pub min_silence_ms: u32,
    /// No chunk is longer (default 28 000 ms; Whisper's window is 30 s). A longer stretch
    /// of speech is cut at its quietest frame.
    pub max_chunk_ms: u32,
    /// Speech shorter than this is dropped as noise (default 200 ms).
    pub min_speech_ms: u32,
    /// Silence kept around each chunk (default 150 ms).
    pub pad_ms: u32,
}

impl Default for VadOptions {
    fn default() -> Self {
        Self {
            frame_ms: 30,
            min_silence_ms: 500,
            max_chunk_ms: 28_000,
            min_speech_ms: 200,
            pad_ms: 150,
        }
    }
}

/// The format from the first bytes of a file (64 are enough), or `None`.
pub fn sniff(head: &[u8]) -> Option<Format> {
    sniff::sniff(head)
}

/// Decodes the whole file to check it and measure it, within the default [`Limits`].
pub fn probe(path: &Path) -> Result<Probe, AudioError> {
    decode::probe(path, Limits::default())
}

/// Decodes the whole file to check it and measure it.
///
/// Besides decoding every packet, it checks the container against what it says about itself
/// (see the crate docs), so a truncated upload is [`AudioError::Undecodable`], and keeps
/// `limits`: a rate outside [`MIN_SAMPLE_RATE`]–[`MAX_SAMPLE_RATE`], more than
/// [`MAX_CHANNELS`] or fewer than [`MIN_BYTES_PER_SECOND`] is [`AudioError::Implausible`],
/// a length over `limits.max_duration_ms` is [`AudioError::TooLong`] — from the header when it
/// declares them, else as soon as the decode gets there.
pub fn probe_within(path: &Path, limits: Limits) -> Result<Probe, AudioError> {
    decode::probe(path, limits)
}

/// Decodes a file (within the default [`Limits`]), mixes it down to mono and resamples it to
/// [`TARGET_RATE`], all in memory: 64 KB a second. Long recordings go through
/// [`cut_at_pauses`] instead.
pub fn decode_16k_mono(path: &Path) -> Result<Pcm, AudioError> {
    decode::decode_16k_mono(path, Limits::default())
}

/// Decodes `path` within `limits`, finds its stretches of speech (as [`split_on_silence`],
/// then [`pack_spans`]) and writes each as a 16-bit mono WAV file at [`TARGET_RATE`], named
/// by `chunk_path(index)`.
///
/// Streams: the signal waits in `spool` (a scratch file of 32 KB a second, removed before
/// this returns), so memory stays bounded whatever the recording's length.
pub fn cut_at_pauses(
    path: &Path,
    limits: Limits,
    options: &CutOptions,
    spool: &Path,
    chunk_path: &mut dyn FnMut(usize) -> std::path::PathBuf,
) -> Result<Cut, AudioError> {
    cut::cut_at_pauses(path, limits, options, spool, chunk_path)
}

/// The stretches of speech in `samples`, each at most `max_chunk_ms` long, in order.
///
/// Frames of `frame_ms` are classed as speech when their RMS level (dB) is above a threshold
/// adapted to the recording (its noise floor plus a margin, within absolute bounds). A pause
/// of `min_silence_ms` ends a chunk, shorter dips are bridged; chunks with less than
/// `min_speech_ms` of speech are dropped; `pad_ms` of context is kept on each side; a chunk
/// longer than `max_chunk_ms` is cut at its quietest frame. All-silent input gives no spans.
pub fn split_on_silence(samples: &[f32], sample_rate: u32, options: &VadOptions) -> Vec<Span> {
    vad::split_on_silence(samples, sample_rate, options)
}

/// Merges consecutive spans into longer chunks, in order, while a chunk stays within
/// `max_ms` from its first sample to its last and no pause inside it is longer than
/// `max_gap_ms`. Whisper encodes every chunk as a full 30 s window, so three-second
/// sentences sent one by one cost ten times the encoder work of the same speech packed into
/// one window; each chunk still yields a segment per sentence, with times inside the chunk.
/// `max_ms = 0` leaves the spans as they are.
pub fn pack_spans(spans: &[Span], sample_rate: u32, max_ms: u32, max_gap_ms: u32) -> Vec<Span> {
    vad::pack(spans, sample_rate, max_ms, max_gap_ms)
}

/// `samples` as a 16-bit PCM mono WAV file.
///
/// Samples are clamped to `[-1, 1]`; the header is the canonical 44 bytes.
pub fn encode_wav(samples: &[f32], sample_rate: u32) -> Vec<u8> {
    wav::encode(samples, sample_rate)
}

/// Reads a 16-bit PCM mono WAV written by [`encode_wav`].
///
/// Anything else (another format, stereo, another sample width, a short file) is
/// [`AudioError::Unsupported`] or [`AudioError::Undecodable`] with a message saying why.
pub fn read_wav(path: &Path) -> Result<Pcm, AudioError> {
    wav::read(path)
}
