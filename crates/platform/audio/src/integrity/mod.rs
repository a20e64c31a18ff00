//! Structural checks that catch a truncated or damaged upload which a decoder alone would
//! read as a shorter, valid recording: symphonia ends an MP3 at the last whole frame and a
//! WAV at the end of the file without saying anything was missing.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::{AudioError, Format};

mod mp3;
mod ogg;
mod wav;

/// What the structure leaves open.
pub(crate) struct Structure {
    /// An MP3 without a Xing/Info or VBRI frame count: cut exactly between two frames, it
    /// is a valid, shorter stream, so the decoded audio must tell (see `decode`).
    pub(crate) mp3_length_unknown: bool,
}

/// Checks the container of `path` against what it says about itself.
pub(crate) fn check(format: Format, path: &Path) -> Result<Structure, AudioError> {
    let mut file = Cursor::open(path)?;
    let mut structure = Structure {
        mp3_length_unknown: false,
    };
    match format {
        Format::Wav => wav::check(&mut file)?,
        Format::Mp3 => structure.mp3_length_unknown = !mp3::check(&mut file)?,
        Format::Ogg => ogg::check(&mut file)?,
        // FLAC is checked against STREAMINFO after decoding; the M4A demuxer fails on a
        // missing index or a cut sample; a WebM from a browser has no length to check.
        Format::Flac | Format::M4a | Format::Webm => {}
    }
    Ok(structure)
}

/// A buffered file read at absolute offsets, cheap for small forward jumps.
struct Cursor {
    reader: BufReader<File>,
    pos: u64,
    len: u64,
}

impl Cursor {
    fn open(path: &Path) -> std::io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self {
            reader: BufReader::with_capacity(64 * 1024, file),
            pos: 0,
            len,
        })
    }

    /// Fills `buf` from `at`; `Ok(false)` when the file ends first.
    fn read_at(&mut self, at: u64, buf: &mut [u8]) -> std::io::Result<bool> {
        if at.saturating_add(buf.len() as u64) > self.len {
            return Ok(false);
        }
        let offset =
            i64::try_from(at).unwrap_or(i64::MAX) - i64::try_from(self.pos).unwrap_or(i64::MAX);
        self.reader.seek_relative(offset)?;
        self.reader.read_exact(buf)?;
        self.pos = at + buf.len() as u64;
        Ok(true)
    }

    /// Up to `max` bytes from `at` (fewer at the end of the file).
    fn read_up_to(&mut self, at: u64, max: usize) -> std::io::Result<Vec<u8>> {
        let available = self.len.saturating_sub(at).min(max as u64) as usize;
        let mut buf = vec![0; available];
        self.read_at(at, &mut buf)?;
        Ok(buf)
    }
}
