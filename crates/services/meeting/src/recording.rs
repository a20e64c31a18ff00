//! Receiving a recording without holding it in memory. The body streams into
//! `<dir>/<meeting id>/<recording id>.part` while its SHA-256 and length are computed and the
//! size limit is enforced; the first bytes are sniffed so a non-audio upload stops early.
//! The file is a [`StoredFile`], removed when dropped unless kept, so a failure anywhere (a
//! limit, a bad format, a client that goes away, a database error) leaves nothing behind.

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::{BodyDataStream, Bytes};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::error::ApiError;

/// Bytes handed to [`quorum_audio::sniff`].
const SNIFF_BYTES: usize = 64;
/// What a refused upload may still send (and how long it may take) before the connection is
/// closed instead of drained.
const DRAIN_MAX_BYTES: u64 = 4 * 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(2);
const WRITE_BUFFER: usize = 256 * 1024;

/// Where recordings live and how large one may be.
#[derive(Debug, Clone)]
pub(crate) struct RecordingStore {
    dir: PathBuf,
    max_bytes: u64,
}

/// Something that yields an upload's bytes: a raw body or one multipart field.
pub(crate) trait ChunkSource {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, ApiError>;
}

/// A complete upload on disk, not yet checked by decoding.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) file: StoredFile,
    pub(crate) size: u64,
    /// Hex SHA-256.
    pub(crate) sha256: String,
}

impl RecordingStore {
    /// Creates `dir` if needed; paths are stored absolute (events carry them as `file://`).
    pub(crate) fn open(dir: &Path, max_bytes: u64) -> std::io::Result<Self> {
        quorum_store::private::create_dir(dir)?;
        Ok(Self {
            dir: std::path::absolute(dir)?,
            max_bytes,
        })
    }

    pub(crate) fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Streams `source` to `<meeting>/<id>.part`: 413 past the limit, 415 when the first
    /// bytes are no supported audio, 422 when there are none.
    pub(crate) async fn receive(
        &self,
        meeting: Uuid,
        id: Uuid,
        source: &mut impl ChunkSource,
    ) -> Result<Received, ApiError> {
        let dir = self.dir.join(meeting.to_string());
        // Recordings are for the server's user alone (`quorum_store::private`).
        let mut private_dir = tokio::fs::DirBuilder::new();
        private_dir.recursive(true);
        #[cfg(unix)]
        private_dir.mode(quorum_store::private::DIR_MODE);
        private_dir.create(&dir).await?;
        let path = dir.join(format!("{id}.part"));
        let mut options = tokio::fs::OpenOptions::new();
        #[cfg(unix)]
        options.mode(quorum_store::private::FILE_MODE);
        let file = options.write(true).create_new(true).open(&path).await?;
        // Declared before the writer, so it is dropped (removing the file) after it.
        let stored = StoredFile { path, keep: false };
        let mut out = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut hasher = Sha256::new();
        let mut size = 0_u64;
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let mut sniffed = false;
        while let Some(chunk) = source.next_chunk().await? {
            size += chunk.len() as u64;
            if size > self.max_bytes {
                return Err(ApiError::RecordingTooLarge(self.max_bytes));
            }
            if !sniffed {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == SNIFF_BYTES {
                    check_format(&head)?;
                    sniffed = true;
                }
            }
            hasher.update(&chunk);
            out.write_all(&chunk).await?;
        }
        if size == 0 {
            return Err(ApiError::EmptyRecording);
        }
        if !sniffed {
            check_format(&head)?;
        }
        out.flush().await?;
        out.into_inner().sync_all().await?;
        Ok(Received {
            file: stored,
            size,
            sha256: format!("{:x}", hasher.finalize()),
        })
    }

    /// Removes a deleted meeting's recordings: `files` (the stored paths), then the meeting's
    /// directory with anything still in it (a partial upload). Idempotent: what is already
    /// gone is fine.
    pub(crate) async fn remove_meeting(
        &self,
        meeting: Uuid,
        files: &[String],
    ) -> std::io::Result<()> {
        let gone = |r: std::io::Result<()>| match r {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
        for file in files {
            gone(tokio::fs::remove_file(file).await)?;
        }
        gone(tokio::fs::remove_dir_all(self.dir.join(meeting.to_string())).await)
    }
}

fn check_format(head: &[u8]) -> Result<(), ApiError> {
    match quorum_audio::sniff(head) {
        Some(_) => Ok(()),
        None => Err(ApiError::UnsupportedAudio(
            "the upload is not audio in a supported format; send WAV, FLAC, MP3, Ogg, \
             M4A (MP4 audio) or WebM"
                .into(),
        )),
    }
}

/// A file that is removed when dropped, unless [`StoredFile::keep`] was called.
#[derive(Debug)]
pub(crate) struct StoredFile {
    path: PathBuf,
    keep: bool,
}

impl StoredFile {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file to `name` in its directory.
    pub(crate) async fn rename(&mut self, name: &str) -> std::io::Result<()> {
        let to = self.path.with_file_name(name);
        tokio::fs::rename(&self.path, &to).await?;
        self.path = to;
        Ok(())
    }

    /// The file stays (its row is committed).
    pub(crate) fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for StoredFile {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        match std::fs::remove_file(&self.path) {
            Ok(()) => tracing::debug!(path = %self.path.display(), "partial recording removed"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a partial recording");
            }
        }
    }
}

impl ChunkSource for BodyDataStream {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, ApiError> {
        self.next().await.transpose().map_err(body_error)
    }
}

impl ChunkSource for Field<'_> {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, ApiError> {
        self.chunk().await.map_err(multipart_error)
    }
}

/// A body cut off by a limit in front of the service is a 413; anything else means the
/// client stopped sending.
fn body_error(e: axum::Error) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return ApiError::BodyTooLarge;
        }
        cause = c.source();
    }
    ApiError::UploadInterrupted(e.to_string())
}

pub(crate) fn multipart_error(e: MultipartError) -> ApiError {
    match e.status().as_u16() {
        413 => ApiError::BodyTooLarge,
        400 => ApiError::BadRequest(format!("malformed multipart body: {}", e.body_text())),
        _ => ApiError::UploadInterrupted(e.body_text()),
    }
}

/// Reads and discards what is left of a refused raw upload, within bounds, so the client can
/// read the answer; `true` when the body ended (the connection can be reused).
pub(crate) async fn drain(source: &mut impl ChunkSource) -> bool {
    let work = async {
        let mut seen = 0_u64;
        loop {
            match source.next_chunk().await {
                Ok(Some(chunk)) => {
                    seen += chunk.len() as u64;
                    if seen > DRAIN_MAX_BYTES {
                        return false;
                    }
                }
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    };
    tokio::time::timeout(DRAIN_TIME, work)
        .await
        .unwrap_or(false)
}

/// [`drain`] for the rest of a multipart body.
pub(crate) async fn drain_multipart(multipart: &mut Multipart) -> bool {
    let work = async {
        let mut seen = 0_u64;
        loop {
            let mut field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => return true,
                Err(_) => return false,
            };
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        seen += chunk.len() as u64;
                        if seen > DRAIN_MAX_BYTES {
                            return false;
                        }
                    }
                    Ok(None) => break,
                    Err(_) => return false,
                }
            }
        }
    };
    tokio::time::timeout(DRAIN_TIME, work)
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_file_is_removed_unless_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, b"x").unwrap();
        std::fs::write(&b, b"x").unwrap();
        drop(StoredFile {
            path: a.clone(),
            keep: false,
        });
        StoredFile {
            path: b.clone(),
            keep: false,
        }
        .keep();
        assert!(!a.exists());
        assert!(b.exists());
    }
}
