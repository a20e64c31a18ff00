//! Opus (in Ogg or WebM), which symphonia demuxes but does not decode, through the pure-Rust
//! `opus-decoder` crate.

use symphonia::core::codecs::audio::AudioCodecParameters;
use symphonia::core::packet::Packet;

use crate::AudioError;

/// Opus always decodes at 48 kHz here; timestamps and trims in the container count 48 kHz
/// samples.
pub(crate) const OPUS_RATE: u32 = 48_000;

pub(crate) struct OpusStream {
    decoder: opus_decoder::OpusDecoder,
    channels: usize,
    buf: Vec<f32>,
    /// Pre-skip frames (from `OpusHead`) still to drop: the encoder's start-up delay.
    skip: usize,
}

impl OpusStream {
    pub(crate) fn new(params: &AudioCodecParameters) -> Result<Self, AudioError> {
        let channels = params.channels.as_ref().map_or(1, |c| c.count());
        if !(1..=2).contains(&channels) {
            return Err(AudioError::Unsupported(format!(
                "Opus with {channels} channels is not supported; use mono or stereo"
            )));
        }
        let decoder = opus_decoder::OpusDecoder::new(OPUS_RATE, channels)
            .map_err(|err| AudioError::Undecodable(format!("the Opus decoder refused: {err}")))?;
        let buf = vec![0.0; decoder.max_frame_size_per_channel() * channels];
        let skip = params.extra_data.as_deref().map_or(0, pre_skip);
        Ok(Self {
            decoder,
            channels,
            buf,
            skip,
        })
    }

    pub(crate) fn channels(&self) -> usize {
        self.channels
    }

    /// Decodes one packet to interleaved samples, with the container's trims applied.
    pub(crate) fn decode(&mut self, packet: &Packet) -> Result<&[f32], String> {
        if packet.data.is_empty() {
            return Ok(&[]);
        }
        let frames = self
            .decoder
            .decode_float(&packet.data, &mut self.buf, false)
            .map_err(|err| format!("Opus packet: {err}"))?;
        // Ogg may already mark the pre-skip as a trim: take the larger, never both.
        let trim_start = usize::try_from(packet.trim_start.get()).unwrap_or(usize::MAX);
        let start = trim_start.max(self.skip).min(frames);
        self.skip = self.skip.saturating_sub(frames);
        let trim_end = usize::try_from(packet.trim_end.get()).unwrap_or(usize::MAX);
        let end = frames - trim_end.min(frames - start);
        Ok(&self.buf[start * self.channels..end * self.channels])
    }
}

/// The pre-skip of an `OpusHead` (RFC 7845 §5.1), which Ogg and WebM both carry.
fn pre_skip(head: &[u8]) -> usize {
    match head {
        [b'O', b'p', b'u', b's', b'H', b'e', b'a', b'd', _, _, low, high, ..] => {
            usize::from(u16::from_le_bytes([*low, *high]))
        }
        _ => 0,
    }
}
