//! CSV result rows rendered by the workers that score them.

/// Result rows rendered by a worker exactly as the csv crate's default writer (which writes
/// the header) renders them: fields separated by commas, a field quoted only when it holds a
/// comma, a quote or a line break, quotes inside doubled, "\n" after each record.
///
/// Why not the csv writer itself: it tests every byte of every field against a table, and the
/// 扣分原因 cell of ~2 KB per row made that the batch's largest own cost; the test here is one
/// pass the compiler vectorizes. `rows_render_as_the_csv_crate_does` checks the two agree.
#[derive(Debug, Default)]
pub struct CsvRows {
    out: Vec<u8>,
    /// Where the current record starts, and how many fields it has so far.
    record_start: usize,
    fields: usize,
}

impl CsvRows {
    pub fn with_capacity(bytes: usize) -> Self {
        CsvRows {
            out: Vec::with_capacity(bytes),
            ..CsvRows::default()
        }
    }

    pub fn field(&mut self, field: &str) {
        let bytes = field.as_bytes();
        if self.fields > 0 {
            self.out.push(b',');
        }
        self.fields += 1;
        // No early exit, so that the loop vectorizes: most fields need no quotes.
        let special = bytes.iter().fold(false, |any, &b| {
            any | matches!(b, b',' | b'"' | b'\n' | b'\r')
        });
        if !special {
            self.out.extend_from_slice(bytes);
            return;
        }
        self.out.push(b'"');
        for part in bytes.split_inclusive(|&b| b == b'"') {
            self.out.extend_from_slice(part);
            if part.ends_with(b"\"") {
                self.out.push(b'"');
            }
        }
        self.out.push(b'"');
    }

    pub fn end_record(&mut self) {
        // A record of nothing but one empty field would be an empty line, which CSV readers
        // skip: the csv crate writes "" for it.
        if self.out.len() == self.record_start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.push(b'\n');
        self.record_start = self.out.len();
        self.fields = 0;
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rows_render_as_the_csv_crate_does() {
        let pieces = [
            "",
            "a",
            "0.5",
            ",",
            "\"",
            "\n",
            "\r",
            "\r\n",
            " ",
            "\t",
            "；",
            "扣 0.6 分",
            "#",
            "'",
            "\"\"",
            "x,y",
            "#1",
            "=1+2",
        ];
        // A fixed pseudo-random walk over records of 0 to 5 fields built from the pieces.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut records: Vec<Vec<String>> =
            vec![vec![], vec![String::new()], vec![String::new(); 2]];
        for _ in 0..3000 {
            let fields = (0..next(6))
                .map(|_| (0..next(4)).map(|_| pieces[next(pieces.len())]).collect())
                .collect();
            records.push(fields);
        }
        for record in &records {
            let mut ours = CsvRows::default();
            record.iter().for_each(|f| ours.field(f));
            ours.end_record();
            let mut theirs = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new());
            theirs.write_record(record).unwrap();
            assert_eq!(
                String::from_utf8(ours.into_bytes()).unwrap(),
                String::from_utf8(theirs.into_inner().unwrap()).unwrap(),
                "{record:?}"
            );
        }
    }
}
