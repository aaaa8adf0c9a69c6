//! Browser profile snapshots: a WhatsApp session is its Chromium profile
//! (WhatsApp Web keeps its keys in the profile's storage), so packing the
//! profile and unpacking it on another sender moves the session without a
//! new QR scan, while the phone keeps the device linked.
//!
//! Only the session travels: caches (rebuilt by the browser; WhatsApp
//! re-downloads its app) and the browser's lock files and sockets
//! (`Singleton*`, left behind by a browser that was killed; they would make
//! the next Chromium think the profile is in use) are left out.
//!
//! Pack a profile whose browser is closed (see
//! [`super::Launcher::snapshot`]): a running Chromium writes late. Blocking
//! file work: call from `spawn_blocking`.

use std::{
    fs, io,
    path::{Component, Path},
};

use flate2::{read::GzDecoder, write::GzEncoder, Compression};
use tar::{Archive, Builder, EntryType, Header};

/// Directory or file names skipped wherever they appear in the profile.
const SKIPPED: &[&str] = &[
    "Cache",
    "Code Cache",
    "GPUCache",
    "DawnCache",
    "DawnGraphiteCache",
    "DawnWebGPUCache",
    "GraphiteDawnCache",
    "GrShaderCache",
    "ShaderCache",
    // A service worker's cached responses and scripts: WhatsApp Web's app
    // files, tens of megabytes, fetched again on the next load.
    "CacheStorage",
    "ScriptCache",
    "Crashpad",
    "Crash Reports",
    "BrowserMetrics",
    "component_crx_cache",
    "extensions_crx_cache",
    "optimization_guide_model_store",
    "Safe Browsing",
];

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("profile snapshot I/O: {0}")]
    Io(#[from] io::Error),
    #[error("unpacking refused: {0}")]
    Refused(String),
}

fn skipped(name: &str) -> bool {
    name.starts_with("Singleton") || SKIPPED.contains(&name)
}

/// The profile at `dir` as a gzipped tar, without caches and locks.
pub fn pack_profile(dir: &Path) -> Result<Vec<u8>, SnapshotError> {
    let mut builder = Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    add_dir(&mut builder, dir, Path::new(""))?;
    Ok(builder.into_inner()?.finish()?)
}

fn add_dir(builder: &mut Builder<GzEncoder<Vec<u8>>>, dir: &Path, relative: &Path) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.to_str().is_none_or(skipped) {
            continue;
        }
        let path = entry.path();
        let inside = relative.join(&name);
        // symlink_metadata: the running browser's links are not followed.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let mut header = Header::new_gnu();
            header.set_entry_type(EntryType::Directory);
            header.set_mode(0o700);
            header.set_size(0);
            builder.append_data(&mut header, &inside, io::empty())?;
            add_dir(builder, &path, &inside)?;
        } else if kind.is_file() {
            // Read whole first: the browser may write while we pack, and the
            // header must state the size of exactly what follows it.
            let bytes = match fs::read(&path) {
                Ok(bytes) => bytes,
                // Deleted since listed (a rotated log, a temp file).
                Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                Err(err) => return Err(err),
            };
            let mut header = Header::new_gnu();
            header.set_entry_type(EntryType::Regular);
            header.set_mode(0o600);
            header.set_size(bytes.len() as u64);
            builder.append_data(&mut header, &inside, bytes.as_slice())?;
        }
    }
    Ok(())
}

/// Unpacks a snapshot into `dir`, which must not exist yet or be empty
/// (mixing two profiles would corrupt both).
pub fn unpack_profile(snapshot: &[u8], dir: &Path) -> Result<(), SnapshotError> {
    fs::create_dir_all(dir)?;
    if fs::read_dir(dir)?.next().is_some() {
        return Err(SnapshotError::Refused(format!("{} is not empty", dir.display())));
    }
    let mut archive = Archive::new(GzDecoder::new(snapshot));
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.into_owned();
        // Only what pack_profile writes: plain files and directories, inside.
        let plain = matches!(entry.header().entry_type(), EntryType::Regular | EntryType::Directory);
        let inside = path.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain || !inside {
            return Err(SnapshotError::Refused(format!("unexpected entry {}", path.display())));
        }
        entry.unpack_in(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_the_session_and_drops_caches_and_locks() {
        let source = tempfile::tempdir().unwrap();
        let root = source.path();
        fs::create_dir_all(root.join("Default/Local Storage/leveldb")).unwrap();
        fs::write(root.join("Default/Local Storage/leveldb/000003.log"), b"WAToken1").unwrap();
        fs::write(root.join("Local State"), b"{}").unwrap();
        fs::create_dir_all(root.join("Default/Cache/Cache_Data")).unwrap();
        fs::write(root.join("Default/Cache/Cache_Data/index"), vec![7u8; 4096]).unwrap();
        fs::create_dir_all(root.join("Default/Service Worker/CacheStorage")).unwrap();
        fs::write(root.join("Default/Service Worker/CacheStorage/app.js"), b"x").unwrap();
        std::os::unix::fs::symlink("host-1234", root.join("SingletonLock")).unwrap();

        let snapshot = pack_profile(root).unwrap();
        let target = tempfile::tempdir().unwrap();
        let restored = target.path().join("profile");
        unpack_profile(&snapshot, &restored).unwrap();

        assert_eq!(fs::read(restored.join("Default/Local Storage/leveldb/000003.log")).unwrap(), b"WAToken1");
        assert_eq!(fs::read(restored.join("Local State")).unwrap(), b"{}");
        assert!(!restored.join("Default/Cache").exists());
        assert!(!restored.join("Default/Service Worker/CacheStorage").exists());
        assert!(restored.join("Default/Service Worker").is_dir());
        assert!(fs::symlink_metadata(restored.join("SingletonLock")).is_err());
    }

    #[test]
    fn refuses_a_non_empty_target() {
        let source = tempfile::tempdir().unwrap();
        fs::write(source.path().join("Local State"), b"{}").unwrap();
        let snapshot = pack_profile(source.path()).unwrap();
        let err = unpack_profile(&snapshot, source.path()).unwrap_err();
        assert!(matches!(err, SnapshotError::Refused(_)), "{err}");
    }
}
