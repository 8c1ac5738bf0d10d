//! Result files: CSV, XLSX (results, findings, errors and an about sheet) or JSON Lines. Each
//! is written to a temporary file next to the destination and renamed over it only when the
//! whole batch has been written, so an interrupted run never leaves a half-written result
//! where a complete one is expected.

use jixiao::Lang;
use jixiao_batch::encoding::EncodingWriter;
use jixiao_batch::row::{Layout, Part, RowOut, result_headers};
use jixiao_batch::xlsx::ResultsWorkbook;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Csv,
    Xlsx,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Gb18030,
}

/// Facts for the about sheet of an XLSX result.
#[derive(Debug, Clone)]
pub struct About {
    pub rows: Vec<(String, String)>,
}

/// Where the bytes go until the batch is complete.
#[derive(Debug)]
enum Destination {
    Stdout,
    Temp { temp: NamedTempFile, path: PathBuf },
}

impl Destination {
    fn new(path: &Path) -> Result<Self, String> {
        if path.as_os_str() == "-" {
            return Ok(Destination::Stdout);
        }
        refuse_unless_regular(path)?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Same directory, so the final rename is atomic; a leading dot hides it in listings.
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        #[cfg(unix)]
        {
            // A result file others in the office can read, as any other file the user
            // writes (temporary files are private by default).
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let temp = builder
            .tempfile_in(&dir)
            .map_err(|e| format!("无法在 {} 旁创建临时文件：{e}", path.display()))?;
        interrupt::remove_on_signal(temp.path());
        Ok(Destination::Temp {
            temp,
            path: path.to_path_buf(),
        })
    }

    fn writer(&self) -> io::Result<Box<dyn Write + Send>> {
        match self {
            Destination::Stdout => Ok(Box::new(io::stdout())),
            Destination::Temp { temp, .. } => Ok(Box::new(temp.reopen()?)),
        }
    }

    fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout => Ok(()),
            Destination::Temp { temp, path } => {
                temp.as_file().sync_all()?;
                let done = temp.persist(&path).map(|_| ()).map_err(|e| e.error);
                interrupt::forget();
                done
            }
        }
    }
}

/// `-o` names a regular file (replaced when the batch is complete) or a new one: a
/// directory, device, pipe or symlink there is refused before anything is written (a device
/// or a symlink would otherwise become a regular file).
fn refuse_unless_regular(path: &Path) -> Result<(), String> {
    let refused = |zh: &str, en: &str| {
        Err(format!(
            "结果文件 {} {zh}，未写入任何内容 (the result path {en}; nothing was written)",
            path.display()
        ))
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => refused(
            "是符号链接，请直接给出目标文件",
            "is a symlink: name its target",
        ),
        Ok(meta) if meta.is_dir() => refused("是目录", "is a directory"),
        Ok(meta) if !meta.is_file() => refused(
            "不是普通文件（设备、管道或套接字）",
            "is not a regular file (a device, pipe or socket)",
        ),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("无法访问结果文件 {}：{e}", path.display())),
    }
}

/// The temporary result file, removed if the batch is stopped by Ctrl-C or `kill` (a drop
/// never runs then).
mod interrupt {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, Once, PoisonError};

    static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

    pub(super) fn remove_on_signal(path: &Path) {
        *PENDING.lock().unwrap_or_else(PoisonError::into_inner) = Some(path.to_path_buf());
        static HANDLER: Once = Once::new();
        HANDLER.call_once(|| {
            // If no handler can be installed, a stopped batch leaves its `.part` file, as
            // before: no reason to refuse the batch.
            let _ = ctrlc::set_handler(|| {
                if let Some(path) = PENDING
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                {
                    let _ = std::fs::remove_file(path);
                }
                eprintln!("已中断，未写入结果 (interrupted; no result was written)");
                // 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
                std::process::exit(130);
            });
        });
    }

    /// The temporary file is now the result (or gone): nothing to remove any more.
    pub(super) fn forget() {
        PENDING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

pub trait Sink: Send {
    fn write(&mut self, parts: &[Part]) -> Result<(), String>;
    /// Completes the file and moves it into place.
    fn finish(self: Box<Self>, about: About) -> Result<(), String>;
}

pub fn create(
    kind: OutputKind,
    path: &Path,
    layout: &Layout,
    lang: Lang,
    encoding: TextEncoding,
) -> Result<Box<dyn Sink>, String> {
    let destination = Destination::new(path)?;
    let headers = result_headers(layout, lang);
    match kind {
        OutputKind::Csv => Ok(Box::new(CsvSink::new(destination, headers, encoding)?)),
        OutputKind::Jsonl => {
            let out = destination.writer().map_err(|e| e.to_string())?;
            Ok(Box::new(JsonlSink {
                out: BufWriter::with_capacity(256 * 1024, out),
                destination,
            }))
        }
        OutputKind::Xlsx => {
            if matches!(destination, Destination::Stdout) {
                return Err(
                    "XLSX 结果不能写到标准输出，请用 -o 指定文件 (XLSX cannot go to stdout)".into(),
                );
            }
            Ok(Box::new(XlsxSink {
                book: ResultsWorkbook::new(layout, lang, true)?,
                destination,
            }))
        }
    }
}

// ------------------------------------------------------------------------------------ CSV

struct CsvSink {
    out: Box<dyn Write + Send>,
    destination: Destination,
}

impl CsvSink {
    fn new(
        destination: Destination,
        headers: Vec<String>,
        encoding: TextEncoding,
    ) -> Result<Self, String> {
        let raw = destination.writer().map_err(|e| e.to_string())?;
        let mut out: Box<dyn Write + Send> = Box::new(BufWriter::with_capacity(256 * 1024, raw));
        match encoding {
            // Excel on Windows reads a BOM-less CSV as GBK and garbles UTF-8 Chinese.
            TextEncoding::Utf8Bom => out.write_all(b"\xEF\xBB\xBF").map_err(|e| e.to_string())?,
            TextEncoding::Utf8 => {}
            // GB18030 has no state to close: flushing the writer completes the text.
            TextEncoding::Gb18030 => out = Box::new(EncodingWriter::new(out, encoding_rs::GB18030)),
        }
        let mut header = csv::WriterBuilder::new().from_writer(Vec::new());
        header.write_record(&headers).map_err(|e| e.to_string())?;
        let header = header.into_inner().map_err(|e| e.error().to_string())?;
        out.write_all(&header).map_err(|e| e.to_string())?;
        Ok(CsvSink { out, destination })
    }
}

impl Sink for CsvSink {
    fn write(&mut self, parts: &[Part]) -> Result<(), String> {
        for part in parts {
            self.out
                .write_all(&part.csv)
                .map_err(|e| format!("写入结果失败：{e}"))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>, _about: About) -> Result<(), String> {
        let CsvSink {
            mut out,
            destination,
        } = *self;
        out.flush().map_err(|e| format!("写入结果失败：{e}"))?;
        drop(out);
        destination
            .commit()
            .map_err(|e| format!("无法保存结果：{e}"))
    }
}

// ------------------------------------------------------------------------------ JSON Lines

struct JsonlSink {
    out: BufWriter<Box<dyn Write + Send>>,
    destination: Destination,
}

impl Sink for JsonlSink {
    fn write(&mut self, parts: &[Part]) -> Result<(), String> {
        for r in parts.iter().flat_map(|p| &p.rows) {
            let line = match &r.out {
                RowOut::Json(line) => line.as_str(),
                _ => "{}",
            };
            self.out
                .write_all(line.as_bytes())
                .and_then(|()| self.out.write_all(b"\n"))
                .map_err(|e| format!("写入结果失败：{e}"))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, _about: About) -> Result<(), String> {
        self.out.flush().map_err(|e| e.to_string())?;
        let JsonlSink { out, destination } = *self;
        drop(out);
        destination
            .commit()
            .map_err(|e| format!("无法保存结果：{e}"))
    }
}

// ------------------------------------------------------------------------------------ XLSX

/// The shared XLSX result, saved into the temporary file when complete.
struct XlsxSink {
    book: ResultsWorkbook,
    destination: Destination,
}

impl Sink for XlsxSink {
    fn write(&mut self, parts: &[Part]) -> Result<(), String> {
        self.book.write(parts)
    }

    fn finish(self: Box<Self>, about: About) -> Result<(), String> {
        let XlsxSink { book, destination } = *self;
        let mut workbook = book.finish(about.rows)?;
        match &destination {
            Destination::Temp { temp, .. } => {
                let file: File = temp.reopen().map_err(|e| e.to_string())?;
                workbook
                    .save_to_writer(file)
                    .map_err(|e| format!("写入 XLSX 失败：{e}"))?;
            }
            Destination::Stdout => return Err("XLSX cannot go to stdout".into()),
        }
        destination
            .commit()
            .map_err(|e| format!("无法保存结果：{e}"))
    }
}
