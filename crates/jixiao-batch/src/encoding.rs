//! Text encodings of CSV files as Chinese Excel and finance systems save them: UTF-8 (with or
//! without a BOM), GBK / GB18030 ("ANSI" on a Chinese Windows), occasionally UTF-16. Input is
//! transcoded to UTF-8 as it streams; output can be written back as GB18030 for old Excel.

use encoding_rs::{CoderResult, Decoder, Encoder, Encoding, GB18030, UTF_8};
use std::io::{self, Read, Write};

/// How many bytes are inspected to guess the encoding.
const SNIFF_BYTES: usize = 64 * 1024;

/// Wraps `source` so that it yields UTF-8. `label` is `auto` or a WHATWG encoding label
/// (`utf-8`, `gbk`, `gb18030`, `big5`, `utf-16le` …). Returns the reader and the encoding used.
pub fn utf8_reader(
    mut source: Box<dyn Read + Send>,
    label: &str,
) -> io::Result<(Box<dyn Read + Send>, &'static Encoding)> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    (&mut source)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)?;
    let full = prefix.len() == SNIFF_BYTES;
    let (encoding, bom_len) = if label.eq_ignore_ascii_case("auto") {
        match Encoding::for_bom(&prefix) {
            Some((enc, len)) => (enc, len),
            None if looks_like_utf8(&prefix, full) => (UTF_8, 0),
            // GB18030 is a superset of GBK and GB2312: what Chinese Excel's "CSV" is.
            None => (GB18030, 0),
        }
    } else {
        let enc = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("未知编码 unknown encoding “{label}”（可用 utf-8、gbk、gb18030、big5、utf-16le …）"),
            )
        })?;
        let bom = match Encoding::for_bom(&prefix) {
            Some((bom_enc, len)) if bom_enc == enc => len,
            _ => 0,
        };
        (enc, bom)
    };
    let rest = io::Cursor::new(prefix.split_off(bom_len));
    let chained: Box<dyn Read + Send> = Box::new(rest.chain(source));
    if encoding == UTF_8 {
        // UTF-8 passes through untouched; the CSV reader checks each field, so an invalid
        // byte fails its own row (with a hint to pass --encoding) instead of the whole file.
        Ok((chained, encoding))
    } else {
        Ok((
            Box::new(DecodingReader::new(
                chained,
                encoding.new_decoder_without_bom_handling(),
            )),
            encoding,
        ))
    }
}

/// UTF-8, allowing a multi-byte character cut off at the end of a full sniff buffer and a few
/// malformed sequences among many well-formed ones: a UTF-8 export with one row pasted in from
/// a GBK file is still UTF-8 (that row then fails on its own, with a hint to pass
/// `--encoding`), while GBK text, read as UTF-8, is malformed at most of its Chinese
/// characters.
fn looks_like_utf8(bytes: &[u8], truncated: bool) -> bool {
    // Lead bytes of multi-byte characters in well-formed UTF-8.
    let characters = |text: &str| text.bytes().filter(|&b| b >= 0xC0).count();
    let (mut rest, mut well_formed, mut malformed) = (bytes, 0usize, 0usize);
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                well_formed += characters(text);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                well_formed += std::str::from_utf8(valid).map_or(0, characters);
                match e.error_len() {
                    // Cut off by the end of the buffer: malformed only if the file ends there.
                    None => {
                        malformed += usize::from(!truncated);
                        break;
                    }
                    Some(len) => {
                        malformed += 1;
                        rest = &after[len..];
                    }
                }
            }
        }
    }
    // GBK read as UTF-8 has about two malformed sequences per well-formed one; a UTF-8 file
    // with a row or two pasted in from GBK has one per hundreds.
    malformed == 0 || malformed * 10 <= well_formed
}

/// Streams `source` through an encoding_rs decoder. Malformed bytes become U+FFFD, which the
/// batch reports on the row and column where it appears.
struct DecodingReader {
    source: Box<dyn Read + Send>,
    decoder: Decoder,
    input: Vec<u8>,
    output: Vec<u8>,
    start: usize,
    end: usize,
    done: bool,
}

impl DecodingReader {
    fn new(source: Box<dyn Read + Send>, decoder: Decoder) -> Self {
        DecodingReader {
            source,
            decoder,
            input: vec![0; 32 * 1024],
            output: Vec::new(),
            start: 0,
            end: 0,
            done: false,
        }
    }
}

impl Read for DecodingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.start == self.end {
            if self.done {
                return Ok(0);
            }
            let n = self.source.read(&mut self.input)?;
            let last = n == 0;
            let needed = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            if self.output.len() < needed {
                self.output.resize(needed, 0);
            }
            // The output buffer holds the worst case, so one call consumes all input.
            let (_, _, written, _) =
                self.decoder
                    .decode_to_utf8(&self.input[..n], &mut self.output, last);
            self.start = 0;
            self.end = written;
            self.done = last;
        }
        let n = buf.len().min(self.end - self.start);
        buf[..n].copy_from_slice(&self.output[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

/// Encodes UTF-8 written to it into another encoding (GB18030 for Excel versions that do not
/// read UTF-8 CSV). Characters the target cannot represent become numeric character
/// references, as encoding_rs does; GB18030 covers all of Unicode, so none do.
pub struct EncodingWriter<W: Write> {
    inner: W,
    encoder: Encoder,
    /// The start of a UTF-8 sequence split across two writes.
    pending: Vec<u8>,
    out: Vec<u8>,
}

impl<W: Write> std::fmt::Debug for EncodingWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodingWriter")
            .field("encoding", &self.encoder.encoding().name())
            .finish_non_exhaustive()
    }
}

impl<W: Write> EncodingWriter<W> {
    pub fn new(inner: W, encoding: &'static Encoding) -> Self {
        EncodingWriter {
            inner,
            encoder: encoding.new_encoder(),
            pending: Vec::new(),
            out: Vec::new(),
        }
    }

    fn encode(&mut self, text: &str, last: bool) -> io::Result<()> {
        let mut rest = text;
        loop {
            let cap = self
                .encoder
                .max_buffer_length_from_utf8_if_no_unmappables(rest.len())
                .unwrap_or(rest.len() * 4 + 16)
                .max(64);
            self.out.resize(cap, 0);
            let (result, read, written, _) =
                self.encoder.encode_from_utf8(rest, &mut self.out, last);
            self.inner.write_all(&self.out[..written])?;
            rest = &rest[read..];
            if result == CoderResult::InputEmpty {
                return Ok(());
            }
        }
    }
}

impl<W: Write> Write for EncodingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "output is not UTF-8",
                ));
            }
        };
        let pending = std::mem::take(&mut self.pending);
        let (text, tail) = pending.split_at(valid);
        // Checked just above.
        let text =
            std::str::from_utf8(text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        self.encode(text, false)?;
        self.pending = tail.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn decode(bytes: &[u8], label: &str) -> (String, &'static str) {
        let (mut r, enc) = utf8_reader(Box::new(io::Cursor::new(bytes.to_vec())), label).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, enc.name())
    }

    #[test]
    fn detects_bom_utf8_and_gbk() {
        let (gbk, _, _) = GB18030.encode("项目名称,总分\n智慧停车,90\n");
        assert_eq!(
            decode(&gbk, "auto"),
            ("项目名称,总分\n智慧停车,90\n".into(), "gb18030")
        );
        assert_eq!(
            decode("\u{feff}项目,1\n".as_bytes(), "auto"),
            ("项目,1\n".into(), "UTF-8")
        );
        assert_eq!(
            decode("项目,1\n".as_bytes(), "auto"),
            ("项目,1\n".into(), "UTF-8")
        );
        assert_eq!(decode(&gbk, "gbk").0, "项目名称,总分\n智慧停车,90\n");
        let (utf16, _, _) = encoding_rs::UTF_16LE.encode("x");
        assert!(utf16.is_empty() || decode(b"\xff\xfea\x00", "auto").0 == "a");
    }

    #[test]
    fn a_few_malformed_bytes_among_much_utf8_are_still_utf8() {
        let rows = "项目名称,实际支出,评价等级\n智慧停车信息平台,1200.5,优\n".repeat(20);
        let (gbk_row, _, _) = GB18030.encode("政务云迁移项目,300,良\n");
        let mut mixed = rows.clone().into_bytes();
        mixed.extend_from_slice(&gbk_row);
        mixed.extend_from_slice(rows.as_bytes());
        assert!(looks_like_utf8(&mixed, false));
        assert_eq!(
            utf8_reader(Box::new(io::Cursor::new(mixed)), "auto")
                .unwrap()
                .1,
            UTF_8
        );

        // GBK text is malformed as UTF-8 at most of its characters; a lone bad byte with no
        // UTF-8 around it to outweigh it is not UTF-8 either.
        let (gbk, _, _) = GB18030.encode(&rows);
        assert!(!looks_like_utf8(&gbk, false));
        assert!(!looks_like_utf8(b"name,value\nx,\xa0\n", false));
        // A character cut off by the sniff buffer's end counts only when the file ends there.
        let cut = &"项目".as_bytes()[..4];
        assert!(looks_like_utf8(cut, true));
        assert!(!looks_like_utf8(cut, false));
    }

    #[test]
    fn round_trips_gb18030_output_across_split_writes() {
        let text = "项目,绩效评价,𠀀\n";
        let mut w = EncodingWriter::new(Vec::new(), GB18030);
        for b in text.as_bytes().chunks(1) {
            w.write_all(b).unwrap();
        }
        w.flush().unwrap();
        let bytes = w.inner;
        assert_eq!(GB18030.decode(&bytes).0, text);
    }
}
