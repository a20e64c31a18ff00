//! Files only the server's own user may read: the data directory and what it holds (the
//! SQLite databases with their `-wal`/`-shm`, which hold password hashes and the signing
//! keys; recordings; speech-to-text chunks). Directories are created `0700`, files `0600`,
//! whatever the umask; [`tighten_tree`] brings what an older version left readable to the
//! same modes. On systems without Unix modes these are plain creates and no-ops.

use std::io;
use std::path::Path;

/// The mode of a private directory.
pub const DIR_MODE: u32 = 0o700;
/// The mode of a private file.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents, the new ones `0700`, and makes `dir` itself `0700`
/// if it was open to others (logged).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)?;
    if tighten(dir)? {
        tracing::warn!(path = %dir.display(), "directory was readable by other users; now 0700");
    }
    Ok(())
}

/// Makes ready for SQLite to open `path`: its directory created (`0700` if new), the file
/// created empty and `0600` when missing (SQLite takes an empty file for a new database and
/// gives the `-wal` and `-shm` it creates the same mode), and an existing file and its side
/// files tightened (logged).
pub fn prepare_sqlite(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            create_dir(parent)?;
        }
    }
    match options().write(true).create_new(true).open(path) {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = Path::new(&file);
        if tighten(file)? {
            tracing::warn!(path = %file.display(), "database file was readable by other users; now 0600");
        }
    }
    Ok(())
}

/// Writes `bytes` to a new or truncated file at `path`, created `0600`.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let mut file = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)
}

/// Options that create files `0600` (add `write`, `create` … as needed).
pub fn options() -> std::fs::OpenOptions {
    #[allow(unused_mut)] // only Unix sets a mode
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Takes the group's and others' permissions off `path` (a file or a directory); returns
/// whether it changed anything. A path that does not exist is left alone.
pub fn tighten(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let mode = meta.permissions().mode();
        if meta.file_type().is_symlink() || mode & 0o077 == 0 {
            return Ok(false);
        }
        let private = if meta.is_dir() { DIR_MODE } else { FILE_MODE };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(private))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

/// [`tighten`] on `root` and everything under it (symbolic links are not followed); returns
/// how many paths it changed. What cannot be changed (another user's file) is counted in the
/// error of the first failure, after the rest was done.
pub fn tighten_tree(root: &Path) -> io::Result<usize> {
    let mut changed = 0;
    let mut first_error = None;
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        match tighten(&path) {
            Ok(true) => changed += 1,
            Ok(false) => {}
            Err(e) => {
                first_error
                    .get_or_insert(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
            }
        }
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir {
            for entry in std::fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(changed),
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_database_file_is_created_private_and_an_open_one_is_tightened() {
        let root = tempfile::tempdir().unwrap();
        let db = root.path().join("data/identity.db");
        prepare_sqlite(&db).unwrap();
        assert_eq!((mode(&db), mode(&root.path().join("data"))), (0o600, 0o700));
        let wal = root.path().join("data/identity.db-wal");
        std::fs::write(&wal, b"").unwrap();
        for file in [&db, &wal] {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        prepare_sqlite(&db).unwrap();
        assert_eq!((mode(&db), mode(&wal)), (0o600, 0o600));
    }

    #[test]
    fn new_paths_are_private_and_old_ones_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        let file = dir.join("chunk.wav");
        write(&file, b"RIFF").unwrap();
        assert_eq!(mode(&file), 0o600);

        let open = root.path().join("a/old.db");
        std::fs::write(&open, b"x").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
        assert_eq!(
            tighten_tree(root.path()).unwrap(),
            3,
            "the root, a/b and old.db"
        );
        assert_eq!(mode(root.path()), 0o700);
        assert_eq!((mode(&open), mode(&dir)), (0o600, 0o700));
        assert_eq!(tighten_tree(root.path()).unwrap(), 0);
    }
}
