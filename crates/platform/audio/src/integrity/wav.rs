//! WAV: the `data` chunk must fit in the file.

use super::Cursor;
use crate::AudioError;

pub(super) fn check(file: &mut Cursor) -> Result<(), AudioError> {
    let mut at = 12u64;
    let mut header = [0u8; 8];
    while file.read_at(at, &mut header)? {
        let size = u64::from(u32::from_le_bytes([
            header[4], header[5], header[6], header[7],
        ]));
        if &header[..4] == b"data" {
            // Recorders that stream a WAV write 0 or 0xFFFFFFFF and never come back to it.
            let unknown = size == 0 || size == u64::from(u32::MAX);
            let present = file.len - (at + 8);
            if !unknown && size > present {
                return Err(AudioError::Undecodable(format!(
                    "the WAV file is truncated: its header promises {size} bytes of audio, \
                     only {present} are present"
                )));
            }
            return Ok(());
        }
        // Chunks are padded to an even length.
        at += 8 + size + (size & 1);
    }
    Err(AudioError::Undecodable(
        "the WAV file has no audio data (no complete `data` chunk); it may be truncated".into(),
    ))
}
