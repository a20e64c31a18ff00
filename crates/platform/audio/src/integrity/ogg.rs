//! Ogg: pages must be whole, and the last one must close the stream.

use super::Cursor;
use crate::AudioError;

const HEADER_LEN: usize = 27;
const END_OF_STREAM: u8 = 0x04;

pub(super) fn check(file: &mut Cursor) -> Result<(), AudioError> {
    let mut at = 0u64;
    let mut last_flags = None;
    let mut header = [0u8; HEADER_LEN];
    loop {
        if at == file.len {
            break;
        }
        if !file.read_at(at, &mut header)? {
            // Fewer bytes than a page header: the start of a page that was cut, or junk.
            if b"OggS".starts_with(&file.read_up_to(at, 4)?) {
                return Err(cut_mid_page(at));
            }
            break;
        }
        if &header[..4] != b"OggS" || header[4] != 0 {
            // Trailing bytes that are not a page: leave them to the decoder.
            break;
        }
        let segments = usize::from(header[26]);
        let mut lacing = vec![0u8; segments];
        if !file.read_at(at + HEADER_LEN as u64, &mut lacing)? {
            return Err(cut_mid_page(at));
        }
        let body: u64 = lacing.iter().map(|&len| u64::from(len)).sum();
        let end = at + (HEADER_LEN + segments) as u64 + body;
        if end > file.len {
            return Err(cut_mid_page(at));
        }
        last_flags = Some(header[5]);
        at = end;
    }
    match last_flags {
        Some(flags) if flags & END_OF_STREAM == 0 => Err(AudioError::Undecodable(
            "the Ogg stream ends without its end-of-stream page: the recording was cut off".into(),
        )),
        _ => Ok(()),
    }
}

fn cut_mid_page(at: u64) -> AudioError {
    AudioError::Undecodable(format!(
        "the Ogg stream is truncated: the page at byte {at} runs past the end of the file"
    ))
}
