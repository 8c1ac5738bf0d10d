//! `jixiao report -o 报告.pdf`: the DOCX report converted by LibreOffice, where it is installed.
//! The conversion runs with a profile of its own, so a LibreOffice the user has open neither
//! blocks it nor is disturbed by it.

use std::path::Path;
use std::process::Command;

/// The LibreOffice program, if one is installed where Debian, other Linux distributions and
/// macOS put it, or on the PATH.
fn soffice() -> Option<String> {
    let known = [
        "/usr/bin/soffice",
        "/usr/bin/libreoffice",
        "/usr/local/bin/soffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ];
    if let Some(found) = known.iter().find(|p| Path::new(p).exists()) {
        return Some((*found).to_string());
    }
    let on_path = Command::new("soffice").arg("--version").output();
    on_path
        .is_ok_and(|o| o.status.success())
        .then(|| "soffice".to_string())
}

/// Writes `docx` converted to PDF at `output`.
pub fn convert(docx: &[u8], output: &Path) -> Result<(), String> {
    let soffice = soffice().ok_or(
        "写 PDF 需要 LibreOffice，但未找到；可改写 .docx 或 .html 后自行打印为 PDF \
         (PDF needs LibreOffice, which is not installed: write .docx or .html and print that)",
    )?;
    let work = tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let source = work.path().join("report.docx");
    std::fs::write(&source, docx).map_err(|e| format!("cannot write {}: {e}", source.display()))?;
    let converted = Command::new(&soffice)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(work.path())
        .arg(&source)
        .env("HOME", work.path())
        .output()
        .map_err(|e| format!("cannot run {soffice}: {e}"))?;
    let pdf = work.path().join("report.pdf");
    if !converted.status.success() || !pdf.exists() {
        return Err(format!(
            "LibreOffice 未能转换为 PDF (LibreOffice could not convert the report): {}",
            String::from_utf8_lossy(&converted.stderr).trim()
        ));
    }
    std::fs::copy(&pdf, output)
        .map(|_| ())
        .map_err(|e| format!("无法写入 cannot write {}: {e}", output.display()))
}
