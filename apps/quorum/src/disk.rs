//! What this process keeps on disk is its user's alone: the data directory (`0700`) with the
//! SQLite databases (`0600`, `-wal`/`-shm` included: the identity database holds password
//! hashes and the signing keys), recordings and speech-to-text chunks. New files are created
//! so (`quorum_store::private`); at start-up, what an older version or a copy left open to
//! others is tightened, with a log line.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::Settings;

/// Creates `data.dir` (`0700`) and tightens it and the recording and chunk directories.
pub(crate) fn secure(settings: &Settings) -> anyhow::Result<()> {
    let data = &settings.data.dir;
    quorum_store::private::create_dir(data)
        .with_context(|| format!("data.dir: cannot create `{}`", data.display()))?;
    let mut dirs: Vec<PathBuf> = vec![data.clone()];
    dirs.extend(settings.meeting.recordings_dir.clone());
    dirs.extend(settings.transcript.chunks_dir.clone());
    for dir in dirs.iter().filter(|d| d.exists()) {
        tighten(dir);
    }
    Ok(())
}

fn tighten(dir: &Path) {
    match quorum_store::private::tighten_tree(dir) {
        Ok(0) => {}
        Ok(changed) => tracing::warn!(
            dir = %dir.display(),
            changed,
            "files were readable by other users; now 0600 (directories 0700)"
        ),
        Err(e) => tracing::warn!(
            dir = %dir.display(),
            error = %e,
            "could not make every file private to this user"
        ),
    }
}
