//! Bounded, confined file reads: every file the core opens (a rulebook, its `script_file`s, a
//! submission) is read through here.
//!
//! Rulebooks come from outside. A `script_file` naming `/dev/zero`, a FIFO or a 10 GB file
//! must not grow the process without bound, and one naming `../../../etc/passwd` must not be
//! read at all (its text would be quoted back in a syntax error). So a read takes only a
//! regular file, stops one byte past its limit, and a script file must resolve, symlinks
//! followed, to a file inside the rulebook's own folder.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

#[cfg(test)]
use crate::limits::{MAX_RULEBOOK_BYTES, MAX_SCRIPT_FILE_BYTES};

/// Why a file was not read, in both languages.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// What the operating system said (not found, permission denied…).
    Os(std::io::Error),
    /// A directory, device, FIFO or socket.
    NotRegular,
    TooLarge(u64),
    NotUtf8,
    /// A script file outside the rulebook's folder.
    OutsideFolder,
}

impl ReadError {
    pub(crate) fn zh(&self) -> String {
        match self {
            ReadError::Os(e) => e.to_string(),
            ReadError::NotRegular => "不是普通文件（目录、设备或管道不能读取）".into(),
            ReadError::TooLarge(limit) => format!("文件超过 {} 的上限", human_bytes(*limit)),
            ReadError::NotUtf8 => "不是 UTF-8 编码的文本".into(),
            ReadError::OutsideFolder => {
                "脚本文件须在评价方案所在目录内：不能用绝对路径、“..” 或指向目录外的符号链接".into()
            }
        }
    }

    pub(crate) fn en(&self) -> String {
        match self {
            ReadError::Os(e) => e.to_string(),
            ReadError::NotRegular => {
                "not a regular file (directories, devices and pipes are not read)".into()
            }
            ReadError::TooLarge(limit) => {
                format!("the file is larger than the {} limit", human_bytes(*limit))
            }
            ReadError::NotUtf8 => "not UTF-8 text".into(),
            ReadError::OutsideFolder => "a script file must be inside the rulebook's folder: no absolute path, no “..”, no symlink out of it".into(),
        }
    }
}

impl ReadError {
    /// The error for reading `path`.
    pub(crate) fn at(&self, path: &Path) -> crate::Error {
        crate::Error::Io {
            path: path.display().to_string(),
            message: self.zh(),
            message_en: self.en(),
        }
    }
}

/// "4 MiB", "256 KiB".
fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} B")
    }
}

/// The text of the regular file at `path`, refused past `limit` bytes. The size is checked
/// on the open file and again while reading (a file that grows meanwhile still stops).
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    // Looked at before opening: opening a FIFO waits for a writer, forever.
    if !std::fs::metadata(path).map_err(ReadError::Os)?.is_file() {
        return Err(ReadError::NotRegular);
    }
    let file = std::fs::File::open(path).map_err(ReadError::Os)?;
    let meta = file.metadata().map_err(ReadError::Os)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    read_limited(file, limit)
}

/// What `reader` gives until its end, refused one byte past `limit` (a pipe that never ends
/// must not grow the process without bound).
pub(crate) fn read_limited(reader: impl std::io::Read, limit: u64) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Os)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}

/// `name` inside `dir`: a relative path without `..` whose target, symlinks resolved, lies
/// inside `dir` (also resolved).
pub(crate) fn confined(dir: &Path, name: &str) -> Result<PathBuf, ReadError> {
    let relative = Path::new(name);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if name.is_empty() || !plain {
        return Err(ReadError::OutsideFolder);
    }
    let root = dir.canonicalize().map_err(ReadError::Os)?;
    let target = root.join(relative).canonicalize().map_err(ReadError::Os)?;
    if target.starts_with(&root) && target != root {
        Ok(target)
    } else {
        Err(ReadError::OutsideFolder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(MAX_RULEBOOK_BYTES), "4 MiB");
        assert_eq!(human_bytes(MAX_SCRIPT_FILE_BYTES), "256 KiB");
        assert_eq!(human_bytes(1000), "1000 B");
    }

    #[test]
    fn names_with_parent_or_root_components_are_refused_before_any_lookup() {
        let dir = Path::new("/nonexistent-jixiao-dir");
        for name in ["../x.rhai", "a/../../x.rhai", "/etc/passwd", ""] {
            assert!(
                matches!(confined(dir, name), Err(ReadError::OutsideFolder)),
                "{name}"
            );
        }
    }
}
