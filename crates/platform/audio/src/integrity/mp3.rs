//! MP3: walk the frames. The last one must be whole, and there must be as many as a
//! Xing/Info or VBRI header declares.
//!
//! [`check`] answers whether the stream declared its frame count.

use super::Cursor;
use crate::sniff::{mpeg_header, MpegHeader};
use crate::AudioError;

/// How far to look for the next frame after bytes that are not one.
const RESYNC_WINDOW: usize = 64 * 1024;

pub(super) fn check(file: &mut Cursor) -> Result<bool, AudioError> {
    let mut at = id3v2_len(file)?;
    let end = file.len - trailing_tags_len(file)?;
    if at > end {
        return Err(AudioError::Undecodable(
            "the MP3 file is truncated: it ends inside its ID3 tag".into(),
        ));
    }
    let mut stream: Option<MpegHeader> = None;
    let mut frames = 0u64;
    let mut declared = None;
    while at < end {
        let mut bytes = [0u8; 4];
        if at + 4 > end {
            let rest = file.read_up_to(at, (end - at) as usize)?;
            if stream.is_some() && rest.first() == Some(&0xFF) {
                return Err(cut_mid_frame());
            }
            break;
        }
        file.read_at(at, &mut bytes)?;
        let header = mpeg_header(&bytes).filter(|h| stream.is_none_or(|s| s.same_stream(h)));
        let Some(header) = header else {
            match resync(file, at + 1, end, stream)? {
                Some(next) => {
                    at = next;
                    continue;
                }
                None => break,
            }
        };
        let Some(len) = header.frame_len else {
            // Free-format bitrate: frame lengths cannot be computed from headers.
            return Ok(false);
        };
        if at + len as u64 > end {
            return Err(cut_mid_frame());
        }
        if stream.is_none() {
            stream = Some(header);
            if let Some(count) = info_tag_frames(file, at, &header, len)? {
                declared = Some(count);
                at += len as u64;
                continue;
            }
        }
        frames += 1;
        at += len as u64;
    }
    match declared {
        Some(declared) if frames < declared => Err(AudioError::Undecodable(format!(
            "the MP3 file is truncated: its header says {declared} frames, \
             only {frames} are present"
        ))),
        _ => Ok(declared.is_some()),
    }
}

fn cut_mid_frame() -> AudioError {
    AudioError::Undecodable(
        "the MP3 file is truncated: the stream ends in the middle of a frame".into(),
    )
}

/// Bytes taken by an ID3v2 tag at the start (0 when there is none).
fn id3v2_len(file: &mut Cursor) -> Result<u64, AudioError> {
    let mut head = [0u8; 10];
    if !file.read_at(0, &mut head)? || &head[..3] != b"ID3" {
        return Ok(0);
    }
    let size = head[6..10]
        .iter()
        .fold(0u64, |acc, b| (acc << 7) | u64::from(b & 0x7F));
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    Ok(10 + size + footer)
}

/// Bytes taken at the end by an ID3v1 tag and an APEv2 tag.
fn trailing_tags_len(file: &mut Cursor) -> Result<u64, AudioError> {
    let mut tags = 0u64;
    let mut id3v1 = [0u8; 3];
    if file.len >= 128 && file.read_at(file.len - 128, &mut id3v1)? && &id3v1 == b"TAG" {
        tags += 128;
    }
    let mut ape = [0u8; 32];
    if file.len >= tags + 32
        && file.read_at(file.len - tags - 32, &mut ape)?
        && &ape[..8] == b"APETAGEX"
    {
        let size = u64::from(u32::from_le_bytes([ape[12], ape[13], ape[14], ape[15]]));
        let has_header = ape[23] & 0x80 != 0;
        tags += size + if has_header { 32 } else { 0 };
    }
    Ok(tags.min(file.len))
}

/// The frame count of a Xing/Info or VBRI header in the first frame, if it has one.
fn info_tag_frames(
    file: &mut Cursor,
    at: u64,
    header: &MpegHeader,
    len: usize,
) -> Result<Option<u64>, AudioError> {
    if header.layer != 3 {
        return Ok(None);
    }
    let frame = file.read_up_to(at, len)?;
    let side_info = match (header.version, header.mono) {
        (1, true) => 17,
        (1, false) => 32,
        (_, true) => 9,
        (_, false) => 17,
    };
    let be32 = |at: usize| -> Option<u64> {
        let bytes = frame.get(at..at + 4)?;
        Some(u64::from(u32::from_be_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3],
        ])))
    };
    let xing = 4 + side_info;
    if let Some(tag) = frame.get(xing..xing + 4) {
        if tag == b"Xing" || tag == b"Info" {
            let flags = be32(xing + 4).unwrap_or(0);
            return Ok(if flags & 1 != 0 { be32(xing + 8) } else { None });
        }
    }
    if frame.get(36..40) == Some(&b"VBRI"[..]) {
        return Ok(be32(36 + 14));
    }
    Ok(None)
}

/// The offset of the next frame of `stream` at or after `from`: a valid header whose frame is
/// followed by another (or runs to or past the end of the stream).
fn resync(
    file: &mut Cursor,
    from: u64,
    end: u64,
    stream: Option<MpegHeader>,
) -> Result<Option<u64>, AudioError> {
    let window = file.read_up_to(from, RESYNC_WINDOW.min((end.saturating_sub(from)) as usize))?;
    for offset in 0..window.len().saturating_sub(3) {
        if window[offset] != 0xFF {
            continue;
        }
        let Some(header) = mpeg_header(&window[offset..]) else {
            continue;
        };
        if stream.is_some_and(|s| !s.same_stream(&header)) {
            continue;
        }
        let Some(len) = header.frame_len else {
            continue;
        };
        let at = from + offset as u64;
        let next = at + len as u64;
        if next >= end {
            if stream.is_some() {
                return Ok(Some(at));
            }
            continue;
        }
        let mut bytes = [0u8; 4];
        if file.read_at(next, &mut bytes)?
            && mpeg_header(&bytes).is_some_and(|h| header.same_stream(&h))
        {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MPEG-1 layer III, 128 kb/s, 44.1 kHz, mono, no padding: 417-byte frames.
    const HEADER: [u8; 4] = [0xFF, 0xFB, 0x90, 0xC4];

    fn frame() -> Vec<u8> {
        let mut frame = HEADER.to_vec();
        frame.resize(417, 0);
        frame
    }

    fn stream(declared: Option<u32>, frames: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        if let Some(count) = declared {
            let mut info = frame();
            info[21..25].copy_from_slice(b"Info");
            info[25..29].copy_from_slice(&1u32.to_be_bytes());
            info[29..33].copy_from_slice(&count.to_be_bytes());
            bytes.extend(info);
        }
        for _ in 0..frames {
            bytes.extend(frame());
        }
        bytes
    }

    fn check_bytes(bytes: &[u8]) -> Result<bool, AudioError> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        check(&mut Cursor::open(file.path()).unwrap())
    }

    #[test]
    fn a_complete_stream_passes_and_says_whether_its_length_is_known() {
        assert!(check_bytes(&stream(Some(10), 10)).unwrap());
        assert!(!check_bytes(&stream(None, 10)).unwrap());
        let mut tagged = stream(Some(10), 10);
        tagged.extend(b"TAG");
        tagged.resize(tagged.len() + 125, b' ');
        assert!(check_bytes(&tagged).unwrap());
    }

    #[test]
    fn fewer_frames_than_declared_is_truncated() {
        let err = check_bytes(&stream(Some(10), 6)).unwrap_err();
        assert!(err.to_string().contains("says 10 frames, only 6"), "{err}");
    }

    #[test]
    fn a_partial_last_frame_is_truncated() {
        for cut in [1, 3, 200] {
            let mut bytes = stream(None, 10);
            bytes.truncate(bytes.len() - cut);
            let err = check_bytes(&bytes).unwrap_err();
            assert!(
                err.to_string().contains("middle of a frame"),
                "cut {cut}: {err}"
            );
        }
    }

    #[test]
    fn junk_between_frames_is_skipped() {
        let mut bytes = stream(Some(10), 5);
        bytes.extend([0x12; 50]);
        bytes.extend(stream(None, 5));
        assert!(check_bytes(&bytes).unwrap());
    }
}
