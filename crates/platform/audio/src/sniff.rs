//! Recognising a format from the first bytes of a file.

use crate::Format;

/// Major or compatible brands of ISO-BMFF files that carry audio Quorum reads.
const AUDIO_BRANDS: [&[u8; 4]; 14] = [
    b"M4A ", b"M4B ", b"M4P ", b"mp42", b"mp41", b"isom", b"iso2", b"iso4", b"iso5", b"iso6",
    b"dash", b"3gp4", b"3gp5", b"3g2a",
];

pub(crate) fn sniff(head: &[u8]) -> Option<Format> {
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WAVE" {
        return Some(Format::Wav);
    }
    if head.starts_with(b"fLaC") {
        return Some(Format::Flac);
    }
    if head.starts_with(b"OggS") {
        return Some(Format::Ogg);
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(Format::Webm);
    }
    if is_audio_ftyp(head) {
        return Some(Format::M4a);
    }
    if is_id3(head) || head.len() >= 4 && mpeg_header(head).is_some() {
        return Some(Format::Mp3);
    }
    None
}

/// An ID3v2 tag: `ID3`, a major version 2–4, a revision and syncsafe size bytes.
fn is_id3(head: &[u8]) -> bool {
    head.len() >= 10
        && head.starts_with(b"ID3")
        && (2..=4).contains(&head[3])
        && head[6..10].iter().all(|b| b & 0x80 == 0)
}

fn is_audio_ftyp(head: &[u8]) -> bool {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    // The major brand, then (after the minor version) the compatible brands.
    let end = size.clamp(12, head.len());
    let mut brands = vec![&head[8..12]];
    brands.extend(head[16.min(end)..end].chunks_exact(4));
    brands
        .iter()
        .any(|brand| AUDIO_BRANDS.iter().any(|known| &known[..] == *brand))
}

/// The parts of an MPEG audio frame header that matter for walking a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MpegHeader {
    /// 1 = MPEG-1, 2 = MPEG-2, 25 = MPEG-2.5.
    pub(crate) version: u8,
    pub(crate) layer: u8,
    pub(crate) sample_rate: u32,
    /// Bytes in the whole frame, header included; `None` for free-format streams.
    pub(crate) frame_len: Option<usize>,
    pub(crate) mono: bool,
}

impl MpegHeader {
    /// Whether `other` can belong to the same stream.
    pub(crate) fn same_stream(&self, other: &MpegHeader) -> bool {
        self.version == other.version
            && self.layer == other.layer
            && self.sample_rate == other.sample_rate
    }
}

/// Parses a 4-byte MPEG audio frame header (layers I–III).
pub(crate) fn mpeg_header(bytes: &[u8]) -> Option<MpegHeader> {
    let [b0, b1, b2, b3] = *bytes.get(..4)? else {
        return None;
    };
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    let version = match (b1 >> 3) & 0b11 {
        0b00 => 25,
        0b10 => 2,
        0b11 => 1,
        _ => return None,
    };
    let layer = match (b1 >> 1) & 0b11 {
        0b01 => 3,
        0b10 => 2,
        0b11 => 1,
        _ => return None,
    };
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = usize::from((b2 >> 2) & 0b11);
    if bitrate_index == 0xF || rate_index == 3 || b3 & 0b11 == 0b10 {
        return None;
    }
    let base_rate = [44_100, 48_000, 32_000][rate_index];
    let sample_rate = match version {
        1 => base_rate,
        2 => base_rate / 2,
        _ => base_rate / 4,
    };
    let padding = usize::from((b2 >> 1) & 1);
    let kbps = bitrate_kbps(version, layer, bitrate_index);
    let frame_len = (kbps != 0).then(|| {
        let bits_per_second = kbps as usize * 1000;
        let rate = sample_rate as usize;
        match (layer, version) {
            (1, _) => (12 * bits_per_second / rate + padding) * 4,
            (3, 2 | 25) => 72 * bits_per_second / rate + padding,
            _ => 144 * bits_per_second / rate + padding,
        }
    });
    Some(MpegHeader {
        version,
        layer,
        sample_rate,
        frame_len,
        mono: b3 >> 6 == 0b11,
    })
}

fn bitrate_kbps(version: u8, layer: u8, index: usize) -> u32 {
    const V1_L1: [u32; 15] = [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ];
    const V1_L2: [u32; 15] = [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ];
    const V1_L3: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const V2_L1: [u32; 15] = [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ];
    const V2_L23: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let table = match (version, layer) {
        (1, 1) => &V1_L1,
        (1, 2) => &V1_L2,
        (1, _) => &V1_L3,
        (_, 1) => &V2_L1,
        _ => &V2_L23,
    };
    table[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_signature() {
        let mut wav = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        wav.resize(64, 0);
        assert_eq!(sniff(&wav), Some(Format::Wav));
        assert_eq!(sniff(b"fLaC\x00\x00\x00\x22"), Some(Format::Flac));
        assert_eq!(sniff(b"OggS\x00\x02"), Some(Format::Ogg));
        assert_eq!(sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F]), Some(Format::Webm));
        assert_eq!(
            sniff(b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isom"),
            Some(Format::M4a)
        );
        assert_eq!(
            sniff(b"\x00\x00\x00\x1cftypdash\x00\x00\x00\x00iso6mp41"),
            Some(Format::M4a)
        );
        assert_eq!(sniff(b"ID3\x04\x00\x00\x00\x00\x01\x00"), Some(Format::Mp3));
        // MPEG-1 layer III, 128 kb/s, 44.1 kHz.
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x64]), Some(Format::Mp3));
    }

    #[test]
    fn rejects_what_is_not_audio() {
        assert_eq!(sniff(b"hello, this is a text file named .wav"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"RIFF\x24\x00\x00\x00AVI LIST"), None);
        // An ISO-BMFF video brand and an ADTS (not MPEG layer I-III) sync word.
        assert_eq!(sniff(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "), None);
        assert_eq!(sniff(&[0xFF, 0xF1, 0x50, 0x80]), None);
    }

    #[test]
    fn computes_mpeg_frame_lengths() {
        let header = mpeg_header(&[0xFF, 0xFB, 0x90, 0x64]).unwrap();
        assert_eq!(
            (header.version, header.layer, header.sample_rate),
            (1, 3, 44_100)
        );
        assert_eq!(header.frame_len, Some(417));
        // The same with the padding bit set.
        assert_eq!(
            mpeg_header(&[0xFF, 0xFB, 0x92, 0x64]).unwrap().frame_len,
            Some(418)
        );
    }
}
