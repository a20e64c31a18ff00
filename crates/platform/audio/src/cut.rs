//! Cutting a recording into chunk files without holding it in memory.
//!
//! One decode streams the 16 kHz mono signal into a spool file (16-bit PCM, 32 KB a second)
//! while the voice-activity meter keeps the level of each frame; the spans of speech follow
//! from the levels, and each (packed) span is copied from the spool into its own WAV file.
//! What stays in memory is a packet, a resampler block, the frame levels (4 bytes per 30 ms)
//! and the copy buffers — the same for a minute as for four hours.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::vad::Meter;
use crate::wav::{header, quantize, MAX_SAMPLES};
use crate::{decode, AudioError, Limits, Probe, Span, VadOptions, TARGET_RATE};

const BUFFER: usize = 256 * 1024;

/// How [`crate::cut_at_pauses`] chunks a recording.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CutOptions {
    pub vad: VadOptions,
    /// Spans are packed into chunks of up to this length (see [`crate::pack_spans`]);
    /// 0 leaves them as they are.
    pub pack_ms: u32,
    /// No pause longer than this inside a packed chunk.
    pub pack_gap_ms: u32,
}

/// What [`crate::cut_at_pauses`] made of a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    pub probe: Probe,
    /// Each chunk's place in the 16 kHz signal and its file, in order.
    pub chunks: Vec<(Span, PathBuf)>,
}

/// The spool file, removed however the cut ends.
struct Spool(PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        // Best effort: a leftover spool sits in the job's directory, which is removed later.
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(crate) fn cut_at_pauses(
    path: &Path,
    limits: Limits,
    options: &CutOptions,
    spool: &Path,
    chunk_path: &mut dyn FnMut(usize) -> PathBuf,
) -> Result<Cut, AudioError> {
    let guard = Spool(spool.to_path_buf());
    let mut writer = BufWriter::with_capacity(BUFFER, File::create(&guard.0)?);
    let mut meter = Meter::new(TARGET_RATE, &options.vad);
    let mut bytes = Vec::with_capacity(BUFFER);
    let probe = decode::decode_16k_mono_to(path, limits, &mut |piece| {
        meter.push(piece);
        bytes.clear();
        bytes.extend(piece.iter().flat_map(|s| quantize(*s).to_le_bytes()));
        writer.write_all(&bytes).map_err(AudioError::Io)
    })?;
    writer.flush()?;
    drop(writer);

    let spans = meter.spans(&options.vad);
    let spans = crate::vad::pack(&spans, TARGET_RATE, options.pack_ms, options.pack_gap_ms);
    let mut source = File::open(&guard.0)?;
    let mut chunks = Vec::with_capacity(spans.len());
    for (i, span) in spans.into_iter().enumerate() {
        let out = chunk_path(i);
        copy_span(&mut source, span, &out)?;
        chunks.push((span, out));
    }
    Ok(Cut { probe, chunks })
}

/// Writes `span` of the spool as a WAV file at `out`.
fn copy_span(spool: &mut File, span: Span, out: &Path) -> Result<(), AudioError> {
    let samples = (span.end - span.start).min(MAX_SAMPLES);
    let mut file = BufWriter::with_capacity(BUFFER, File::create(out)?);
    file.write_all(&header(samples, TARGET_RATE))?;
    spool.seek(SeekFrom::Start(span.start as u64 * 2))?;
    let copied = std::io::copy(&mut spool.take(samples as u64 * 2), &mut file)?;
    if copied != samples as u64 * 2 {
        return Err(AudioError::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the spooled signal is shorter than its spans",
        )));
    }
    file.flush()?;
    Ok(())
}
