//! 16-bit PCM mono WAV, the format chunks are handed to speech-to-text in.

use std::path::Path;

use crate::{AudioError, Pcm};

pub(crate) const HEADER_LEN: usize = 44;

pub(crate) fn encode(samples: &[f32], sample_rate: u32) -> Vec<u8> {
    let samples = &samples[..samples.len().min(MAX_SAMPLES)];
    let mut out = Vec::with_capacity(HEADER_LEN + samples.len() * 2);
    out.extend_from_slice(&header(samples.len(), sample_rate));
    for &sample in samples {
        out.extend_from_slice(&quantize(sample).to_le_bytes());
    }
    out
}

/// A RIFF size is 32 bits: longer input is cut at the largest whole sample that fits.
pub(crate) const MAX_SAMPLES: usize = (u32::MAX as usize - HEADER_LEN) / 2;

/// The canonical 44-byte header of a 16-bit PCM mono WAV of `samples` samples
/// (at most [`MAX_SAMPLES`]).
pub(crate) fn header(samples: usize, sample_rate: u32) -> [u8; HEADER_LEN] {
    let data_len = (samples.min(MAX_SAMPLES) * 2) as u32;
    let mut out = [0u8; HEADER_LEN];
    let fields: [&[u8]; 12] = [
        b"RIFF",
        &(36 + data_len).to_le_bytes(),
        b"WAVEfmt ",
        &16u32.to_le_bytes(),
        &1u16.to_le_bytes(), // PCM
        &1u16.to_le_bytes(), // mono
        &sample_rate.to_le_bytes(),
        &sample_rate.wrapping_mul(2).to_le_bytes(), // bytes per second
        &2u16.to_le_bytes(),                        // block align
        &16u16.to_le_bytes(),                       // bits per sample
        b"data",
        &data_len.to_le_bytes(),
    ];
    let mut at = 0;
    for field in fields {
        out[at..at + field.len()].copy_from_slice(field);
        at += field.len();
    }
    out
}

/// A sample in `[-1, 1]` as 16-bit PCM (clamped; NaN is silence).
pub(crate) fn quantize(sample: f32) -> i16 {
    let value = if sample.is_nan() {
        0.0
    } else {
        sample.clamp(-1.0, 1.0)
    };
    (value * 32767.0).round() as i16
}

pub(crate) fn read(path: &Path) -> Result<Pcm, AudioError> {
    let bytes = std::fs::read(path)?;
    if bytes.is_empty() {
        return Err(AudioError::Empty);
    }
    if bytes.len() < HEADER_LEN || &bytes[..4] != b"RIFF" || &bytes[8..16] != b"WAVEfmt " {
        return Err(AudioError::Unsupported(
            "not a 16-bit PCM mono WAV file with a 44-byte header".into(),
        ));
    }
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let (fmt_len, codec, channels) = (u32_at(16), u16_at(20), u16_at(22));
    let (sample_rate, bits) = (u32_at(24), u16_at(34));
    if fmt_len != 16 || codec != 1 || channels != 1 || bits != 16 || &bytes[36..40] != b"data" {
        return Err(AudioError::Unsupported(format!(
            "expected a 16-bit PCM mono WAV with a 44-byte header, found format tag {codec}, \
             {channels} channel(s), {bits} bits per sample"
        )));
    }
    if sample_rate == 0 {
        return Err(AudioError::Undecodable(
            "the WAV header gives a sample rate of 0".into(),
        ));
    }
    let data_len = u32_at(40) as usize;
    let data = &bytes[HEADER_LEN..];
    if data_len > data.len() || !data_len.is_multiple_of(2) {
        return Err(AudioError::Undecodable(format!(
            "the WAV file is truncated: its header promises {data_len} bytes of samples, \
             {} are present",
            data.len()
        )));
    }
    if data_len == 0 {
        return Err(AudioError::Empty);
    }
    let samples = data[..data_len]
        .chunks_exact(2)
        .map(|pair| f32::from(i16::from_le_bytes([pair[0], pair[1]])) / 32768.0)
        .collect();
    Ok(Pcm {
        samples,
        sample_rate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(bytes: &[u8]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        file
    }

    #[test]
    fn round_trips_within_one_quantisation_step() {
        let samples: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.01).sin() * 0.8).collect();
        let bytes = encode(&samples, 16_000);
        assert_eq!(bytes.len(), 44 + 32_000);
        assert_eq!(crate::sniff(&bytes), Some(crate::Format::Wav));
        let pcm = read(write(&bytes).path()).unwrap();
        assert_eq!(pcm.sample_rate, 16_000);
        assert_eq!(pcm.samples.len(), samples.len());
        for (a, b) in samples.iter().zip(&pcm.samples) {
            assert!((a - b).abs() < 1.0 / 16_000.0, "{a} vs {b}");
        }
    }

    #[test]
    fn clamps_out_of_range_samples() {
        let pcm = read(write(&encode(&[2.0, -2.0, f32::NAN], 8_000)).path()).unwrap();
        assert!((pcm.samples[0] - 1.0).abs() < 1e-3);
        assert!((pcm.samples[1] + 1.0).abs() < 1e-3);
        assert_eq!(pcm.samples[2], 0.0);
    }

    #[test]
    fn rejects_other_files_with_a_reason() {
        let text = read(write(b"just some text, not a wav file at all......").path());
        assert!(matches!(text, Err(AudioError::Unsupported(_))), "{text:?}");
        assert!(matches!(read(write(b"").path()), Err(AudioError::Empty)));

        let mut stereo = encode(&[0.1; 8], 16_000);
        stereo[22] = 2;
        let err = read(write(&stereo).path()).unwrap_err();
        assert!(err.to_string().contains("2 channel(s)"), "{err}");

        let mut cut = encode(&[0.1; 100], 16_000);
        cut.truncate(100);
        let err = read(write(&cut).path()).unwrap_err();
        assert!(matches!(err, AudioError::Undecodable(_)), "{err:?}");
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}
