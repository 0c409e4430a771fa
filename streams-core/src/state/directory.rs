//! The application's state directory and per-task locks.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use super::{OffsetCheckpoint, StateError};
use crate::engine::TaskId;

const LOCK_FILE: &str = ".lock";
const CHECKPOINT_FILE: &str = ".checkpoint";

/// `state.dir/<application.id>`, checked writable when opened.
#[derive(Debug, Clone)]
pub struct StateDirectory {
    root: PathBuf,
}

impl StateDirectory {
    /// Creates (if needed) `state_dir/<application_id>` and proves it writable
    /// by creating and removing a file, so an unusable directory is reported
    /// at start-up rather than at the first commit.
    pub fn open(state_dir: &Path, application_id: &str) -> Result<Self, StateError> {
        let root = state_dir.join(application_id);
        let not_writable = |source| StateError::NotWritable {
            path: root.clone(),
            source,
        };
        fs::create_dir_all(&root).map_err(not_writable)?;
        // Unique per call: stream threads of one process open it at once.
        static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let probe = root.join(format!(".probe-{}-{n}", std::process::id()));
        File::create(&probe).map_err(not_writable)?;
        fs::remove_file(&probe).map_err(not_writable)?;
        Ok(Self { root })
    }

    /// `state.dir/<application.id>`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A task's directory (not created).
    pub fn task_dir(&self, task: TaskId) -> PathBuf {
        self.root.join(task.to_string())
    }

    /// Creates the task's directory and takes its lock, failing with
    /// [`StateError::Locked`] if another thread or process holds it. The lock
    /// is released when the returned guard is dropped (or the process dies).
    pub fn lock_task(&self, task: TaskId) -> Result<TaskDirLock, StateError> {
        let dir = self.task_dir(task);
        let io = |source| StateError::Io {
            path: dir.clone(),
            source,
        };
        fs::create_dir_all(&dir).map_err(io)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(TaskDirLock { _file: file, dir, task }),
            Err(fs::TryLockError::WouldBlock) => Err(StateError::Locked { task, path: dir }),
            Err(fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

/// A held task-directory lock. Holding it is the right to read and write the
/// task's state.
#[derive(Debug)]
pub struct TaskDirLock {
    _file: File,
    dir: PathBuf,
    task: TaskId,
}

impl TaskDirLock {
    /// The locked task.
    pub fn task(&self) -> TaskId {
        self.task
    }

    /// The task's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The task's checkpoint file.
    pub fn checkpoint(&self) -> OffsetCheckpoint {
        OffsetCheckpoint::new(self.dir.join(CHECKPOINT_FILE))
    }

    /// Whether the task directory holds state (anything but the lock and the
    /// checkpoint), e.g. store files left by an earlier run.
    pub fn has_state(&self) -> bool {
        fs::read_dir(&self.dir).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.file_name() != LOCK_FILE && e.file_name() != CHECKPOINT_FILE)
        })
    }

    /// Deletes everything in the task directory but the lock: the stores and
    /// the checkpoint. Used when local state cannot be trusted (a corrupt
    /// checkpoint or store); the stores are then restored in full.
    pub fn wipe(&self) -> Result<(), StateError> {
        let io = |source| StateError::Io {
            path: self.dir.clone(),
            source,
        };
        for entry in fs::read_dir(&self.dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            if entry.file_name() == LOCK_FILE {
                continue;
            }
            let path = entry.path();
            let result = if entry.file_type().map_err(io)?.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            result.map_err(|source| StateError::Io { path, source })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_lock_excludes_a_second_holder_until_released() {
        let base = std::env::temp_dir().join(format!("statedir-{}", std::process::id()));
        let dir = StateDirectory::open(&base, "app").unwrap();
        let task = TaskId::new(0, 1);
        let first = dir.lock_task(task).unwrap();
        assert!(matches!(dir.lock_task(task), Err(StateError::Locked { .. })));
        let other_thread = std::thread::spawn({
            let dir = dir.clone();
            move || matches!(dir.lock_task(task), Err(StateError::Locked { .. }))
        });
        assert!(other_thread.join().unwrap());
        fs::write(first.dir().join("store-file"), b"x").unwrap();
        first.wipe().unwrap();
        assert!(!first.dir().join("store-file").exists());
        drop(first);
        let again = dir.lock_task(task).unwrap();
        drop(again);
        fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn threads_can_open_the_same_directory_at_once() {
        let base = tempfile::tempdir().unwrap();
        let opened: Vec<_> = (0..8)
            .map(|_| {
                let path = base.path().to_owned();
                std::thread::spawn(move || (0..50).all(|_| StateDirectory::open(&path, "app").is_ok()))
            })
            .collect();
        assert!(opened.into_iter().all(|h| h.join().unwrap()));
    }

    #[test]
    fn an_unwritable_state_dir_is_reported_at_open() {
        let base = std::env::temp_dir().join(format!("statedir-file-{}", std::process::id()));
        fs::write(&base, b"not a directory").unwrap();
        let err = StateDirectory::open(&base, "app").unwrap_err();
        assert!(matches!(err, StateError::NotWritable { .. }), "{err}");
        assert!(err.to_string().contains("not writable"), "{err}");
        fs::remove_file(base).unwrap();
    }
}
