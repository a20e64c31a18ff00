//! Preparing a recording for the workers: decode each track (symphonia), resample to 16 kHz
//! mono, cut it at pauses (energy voice-activity detection), and write each stretch of
//! speech as a WAV file under the job's chunk directory — in one streaming pass per track
//! (`quorum_audio::cut_at_pauses`). CPU work, run on the blocking pool.

use std::path::{Path, PathBuf};

use quorum_audio::{AudioError, CutOptions, Limits, TARGET_RATE};

use crate::settings::ChunkSettings;
use quorum_contracts::events::{MeetingEnded, RecordingRef};
use uuid::Uuid;

/// One stretch of speech ready for a worker.
#[derive(Debug, Clone)]
pub(crate) struct PlannedChunk {
    pub(crate) recording_id: Uuid,
    pub(crate) speaker_id: Option<Uuid>,
    pub(crate) start_ms: u64,
    pub(crate) end_ms: u64,
    pub(crate) path: PathBuf,
}

/// The chunks of some tracks, in track order then time order, and what went wrong.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) chunks: Vec<PlannedChunk>,
    pub(crate) warnings: Vec<String>,
}

/// The tracks of an event: its `recordings`, or the single `audioFileUrl` of an older
/// publisher (no participant: speakers then come from the engine, if it labels them).
pub(crate) fn recordings_of(e: &MeetingEnded) -> Vec<RecordingRef> {
    if !e.recordings.is_empty() {
        return e.recordings.clone();
    }
    let url = e.audio_file_url.as_deref().map(str::trim).unwrap_or("");
    if url.is_empty() {
        return Vec::new();
    }
    vec![RecordingRef {
        recording_id: Uuid::new_v5(&Uuid::NAMESPACE_URL, url.as_bytes()),
        url: url.to_string(),
        participant_id: None,
        format: String::new(),
        duration_ms: 0,
        size_bytes: 0,
        sha256: String::new(),
    }]
}

/// The directory of a job's chunk files.
pub(crate) fn job_dir(root: &Path, task_id: &str) -> PathBuf {
    root.join(task_id)
}

fn local_path(url: &str) -> Result<PathBuf, String> {
    match url.strip_prefix("file://") {
        Some(path) => Ok(PathBuf::from(path)),
        None if url.starts_with('/') => Ok(PathBuf::from(url)),
        None => Err(format!(
            "`{url}` is not a file on the recordings volume (only file:// URLs are read)"
        )),
    }
}

fn ms(samples: usize) -> u64 {
    u64::try_from(samples).unwrap_or(u64::MAX) * 1000 / u64::from(TARGET_RATE)
}

/// Decodes and cuts `recordings` into `dir` (blocking), one track at a time and streaming,
/// so memory does not grow with a recording's length. A track that cannot be read, or that
/// breaks the limits of `quorum_audio::Limits`, becomes a warning; the others go on.
pub(crate) fn plan(dir: &Path, recordings: &[RecordingRef], chunking: &ChunkSettings) -> Plan {
    let options = CutOptions {
        vad: chunking.vad(),
        pack_ms: chunking.pack_ms,
        pack_gap_ms: chunking.pack_gap_ms,
    };
    let mut plan = Plan::default();
    if let Err(e) = quorum_store::private::create_dir(dir) {
        plan.warnings.push(format!(
            "speech-to-text could not prepare the recordings: creating {}: {e}",
            dir.display()
        ));
        return plan;
    }
    for (n, rec) in recordings.iter().enumerate() {
        let what = format!("recording {} ({})", n + 1, rec.recording_id);
        let spool = dir.join(format!("{}.pcm", rec.recording_id));
        let mut chunk_path = |i: usize| dir.join(format!("{}-{i:05}.wav", rec.recording_id));
        let cut = local_path(&rec.url).and_then(|path| {
            quorum_audio::cut_at_pauses(&path, limits(rec), &options, &spool, &mut chunk_path)
                .map_err(|e| match e {
                    AudioError::Io(io) => format!("reading {}: {io}", path.display()),
                    other => other.to_string(),
                })
        });
        let cut = match cut {
            Ok(cut) => cut,
            Err(why) => {
                plan.warnings
                    .push(format!("{what} could not be transcribed: {why}"));
                continue;
            }
        };
        if cut.chunks.is_empty() {
            plan.warnings
                .push(format!("{what} contains no speech that could be detected"));
        }
        for (span, path) in cut.chunks {
            plan.chunks.push(PlannedChunk {
                recording_id: rec.recording_id,
                speaker_id: rec.participant_id,
                start_ms: ms(span.start),
                end_ms: ms(span.end),
                path,
            });
        }
    }
    plan
}

/// What a track may be: the length the meeting service measured at upload (plus a second),
/// or the default limit for a track that does not say (an old `audioFileUrl`).
fn limits(rec: &RecordingRef) -> Limits {
    Limits {
        max_duration_ms: if rec.duration_ms > 0 {
            rec.duration_ms.saturating_add(1_000)
        } else {
            quorum_audio::DEFAULT_MAX_DURATION_MS
        },
    }
}

/// Removes a job's chunk files (best effort: a leftover directory wastes disk, nothing else).
pub(crate) async fn remove_dir(dir: PathBuf) {
    if let Err(e) = tokio::fs::remove_dir_all(&dir).await {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(dir = %dir.display(), error = %e, "chunk directory not removed");
        }
    }
}
