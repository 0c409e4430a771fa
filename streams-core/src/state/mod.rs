//! Local state on disk: the state directory, per-task locks, and checkpoint
//! files.
//!
//! Layout: `state.dir/<application.id>/<task id>/` holds one sub-directory per
//! persistent store, a `.lock` file and a `.checkpoint` file. The lock (an
//! advisory `flock`) is held while a task owns the directory, so two threads or
//! two processes on one machine never open the same task's state. The
//! checkpoint maps each changelog partition to the offset up to which the
//! local stores are known to hold it; it is replaced atomically (temporary
//! file, fsync, rename, fsync of the directory). A checkpoint that does not
//! parse is a [`StateError::CorruptCheckpoint`]: the caller wipes the task's
//! stores and restores them in full from their changelogs.

mod checkpoint;
mod directory;

use std::path::PathBuf;

pub use checkpoint::OffsetCheckpoint;
pub use directory::{StateDirectory, TaskDirLock};

use crate::engine::TaskId;

/// Failures of the state directory, task locks and checkpoints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The state directory cannot be created or written.
    #[error("state directory {path} is not writable: {source}")]
    NotWritable {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another thread or process holds the task's lock.
    #[error("the state of task {task} ({path}) is locked by another thread or process")]
    Locked {
        /// The task.
        task: TaskId,
        /// Its directory.
        path: PathBuf,
    },
    /// A checkpoint file does not parse.
    #[error("checkpoint {path} is corrupt at line {line}: {reason}")]
    CorruptCheckpoint {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Any other I/O failure on a state file.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}
