//! Reports of every shipped example: what the DOCX says, read back out of its XML, and (where
//! LibreOffice is installed, as `scripts/setup` installs it) what another reader makes of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jixiao::{Decimal, Lang, Rulebook, Scorecard, Status, Submission};
use jixiao_report::{Block, Cell, Portfolio, ProjectSummary, Report, build, to_docx};
use std::io::Read;
use std::path::{Path, PathBuf};

mod common;
use common::{document_text, docx_xml, examples, rules, score};

/// The table under the heading that starts with `heading`.
fn table_after<'r>(report: &'r Report, heading: &str) -> Option<&'r jixiao_report::Table> {
    let at = report
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { text, .. } if text.starts_with(heading)))?;
    report.blocks[at..].iter().find_map(|b| match b {
        Block::Table(t) => Some(t),
        _ => None,
    })
}

/// The 评分表: the table of the first annex.
fn scoring_table(report: &Report) -> &jixiao_report::Table {
    table_after(report, "附件：")
        .or_else(|| table_after(report, "附件一："))
        .unwrap()
}

fn cell_text(cell: &Cell) -> &str {
    match cell {
        Cell::Text { text, .. } => text,
        Cell::Continued { .. } => "",
    }
}

#[test]
fn every_report_holds_the_scorecard() {
    for (name, rulebook, submission) in examples() {
        for lang in [Lang::Zh, Lang::En] {
            let card = score(&rulebook, &submission, lang);
            let report = build(rulebook.spec(), &card, lang);
            let text = document_text(&to_docx(&report).unwrap());
            let must = |what: &str| {
                assert!(
                    text.contains(what),
                    "{name} ({lang:?}): no “{what}” in the report"
                );
            };
            must(&report.title);
            must(&card.total.to_string());
            if let Some(grade) = &card.grade {
                must(match (lang, &grade.label_en) {
                    (Lang::En, Some(en)) => en,
                    _ => &grade.label,
                });
            }
            for leaf in card.indicators.iter().filter(|i| i.leaf) {
                must(match (lang, &leaf.label_en) {
                    (Lang::En, Some(en)) => en,
                    _ => &leaf.label,
                });
                if let Some(score) = leaf.score {
                    must(&score.to_string());
                }
                for finding in &leaf.findings {
                    must(&finding.message);
                }
            }
            must(&card.rulebook.hash);
            // The rulebook's words: the grade's conclusion, and the suggestion of every
            // indicator that lost points.
            let spec = rulebook.spec();
            if let Some(grade) = &card.grade {
                let band = spec
                    .grades
                    .iter()
                    .find(|b| b.label == *grade.label)
                    .unwrap();
                let conclusion = match lang {
                    Lang::En => band.conclusion_en.as_ref(),
                    _ => band.conclusion.as_ref(),
                };
                if let Some(conclusion) = conclusion {
                    must(conclusion);
                }
            }
            for leaf in card.indicators.iter().filter(|i| i.leaf) {
                let lost = !leaf.findings.is_empty()
                    || (leaf.status == Status::Scored
                        && leaf.score.is_some_and(|s| s < leaf.points));
                let declared = spec.indicators.iter().find(|s| s.id == *leaf.id).unwrap();
                let suggestion = match lang {
                    Lang::En => declared.suggestion_en.as_ref(),
                    _ => declared.suggestion.as_ref(),
                };
                match suggestion {
                    Some(s) if lost => must(s),
                    Some(s) => assert!(
                        !text.contains(s.as_str()),
                        "{name}: {} lost nothing",
                        leaf.id
                    ),
                    None => {}
                }
            }
        }
    }
}

/// Every shipped pack gives the report its words: a suggestion for every leaf and a conclusion
/// for every grade, in both languages.
#[test]
fn every_pack_declares_suggestions_and_conclusions() {
    let mut packs: Vec<_> = std::fs::read_dir(rules())
        .unwrap()
        .map(|e| e.unwrap().path().join("rulebook.toml"))
        .filter(|p| p.exists())
        .collect();
    packs.sort();
    assert!(packs.len() >= 6);
    for pack in packs {
        let rulebook = Rulebook::from_path(&pack).unwrap();
        let spec = rulebook.spec();
        let leaves: Vec<_> = spec
            .indicators
            .iter()
            .filter(|i| i.script.is_some())
            .collect();
        assert!(!leaves.is_empty());
        for leaf in leaves {
            assert!(
                leaf.suggestion.is_some() && leaf.suggestion_en.is_some(),
                "{}: {}",
                spec.id,
                leaf.id
            );
        }
        for band in &spec.grades {
            assert!(
                band.conclusion.is_some() && band.conclusion_en.is_some(),
                "{}: {}",
                spec.id,
                band.label
            );
        }
    }
}

/// The stage's own title, and the sections every report has, in order.
#[test]
fn titles_and_sections_follow_the_stage() {
    let expected = [
        ("ex-ante", "事前绩效评估报告"),
        ("monitoring", "绩效运行监控报告"),
        ("self-eval", "绩效自评报告"),
        ("gov-it-post", "绩效评价报告"),
    ];
    for (pack, title) in expected {
        let (_, rulebook, submission) = examples()
            .into_iter()
            .find(|(name, ..)| name.starts_with(&format!("{pack}/")))
            .unwrap();
        let card = score(&rulebook, &submission, Lang::Zh);
        let report = build(rulebook.spec(), &card, Lang::Zh);
        assert_eq!(report.title, title, "{pack}");
        let headings: Vec<&str> = report
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level: 1, text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings[..7],
            [
                "一、基本情况",
                "二、评价工作开展情况",
                "三、综合评价结论",
                "四、绩效分析",
                "五、存在的问题及原因",
                "六、有关建议",
                "七、其他",
            ],
            "{pack}"
        );
        // The 评分表, and the 专家评分汇总表 where several experts graded.
        let grade_inputs: Vec<&str> = rulebook
            .spec()
            .inputs
            .iter()
            .filter(|i| i.kind == jixiao::model::InputType::Grade)
            .map(|i| i.id.as_str())
            .collect();
        let several_experts = card
            .indicators
            .iter()
            .flat_map(|i| &i.reads)
            .any(|(id, v)| {
                grade_inputs.contains(&&**id) && v.as_array().is_some_and(|a| a.len() > 1)
            });
        let annexes: &[&str] = if several_experts {
            &["附件一：绩效评价指标体系及评分表", "附件二：专家评分汇总表"]
        } else {
            &["附件：绩效评价指标体系及评分表"]
        };
        assert_eq!(headings[7..], *annexes, "{pack}");
    }
}

/// The 评分表's scores add up, as printed, to the scorecard's sum; N/A and unscored leaves
/// say so instead of showing a number.
#[test]
fn the_scoring_table_adds_up_as_printed() {
    for (name, rulebook, submission) in examples() {
        let card = score(&rulebook, &submission, Lang::Zh);
        let report = build(rulebook.spec(), &card, Lang::Zh);
        let table = scoring_table(&report);
        let score_column = table.columns.iter().position(|(t, _)| t == "得分").unwrap();
        let leaves: Vec<_> = card.indicators.iter().filter(|i| i.leaf).collect();
        assert_eq!(
            table.rows.len(),
            leaves.len() + 1,
            "{name}: a row per leaf and the total"
        );
        let mut sum = Decimal::ZERO;
        for (row, leaf) in table.rows.iter().zip(&leaves) {
            // Cells counted from the end: the level cells before them vary.
            let score = cell_text(&row[row.len() - (table.columns.len() - score_column)]);
            match leaf.status {
                Status::NotApplicable => assert_eq!(score, "不适用", "{name}: {}", leaf.id),
                Status::Unscored => assert_eq!(score, "未评分", "{name}: {}", leaf.id),
                Status::Error => assert_eq!(score, "评分出错", "{name}: {}", leaf.id),
                _ => sum += score.parse::<Decimal>().unwrap(),
            }
        }
        assert_eq!(sum.normalize(), card.raw_total.normalize(), "{name}");
        let total_row = table.rows.last().unwrap();
        assert_eq!(cell_text(&total_row[0]), "合计");
        assert_eq!(cell_text(&total_row[3]), card.total.to_string(), "{name}");
    }
}

/// Level cells repeat down the rows they cover as merged cells, never as repeated text.
#[test]
fn level_cells_are_merged_down_their_rows() {
    let (_, rulebook, submission) = examples()
        .into_iter()
        .find(|(name, ..)| name == "gov-it-post/average")
        .unwrap();
    let card = score(&rulebook, &submission, Lang::Zh);
    let table = scoring_table(&build(rulebook.spec(), &card, Lang::Zh)).clone();
    let first_column: Vec<&str> = table.rows.iter().map(|r| cell_text(&r[0])).collect();
    let named: Vec<&str> = first_column
        .iter()
        .copied()
        .filter(|t| !t.is_empty())
        .collect();
    let dimensions = card.indicators.iter().filter(|i| i.level == 1).count();
    // Each dimension named once (plus the total row), the rest continued.
    assert_eq!(named.len(), dimensions + 1, "{first_column:?}");
    assert!(named[0].starts_with("决策"), "{named:?}");
    let xml = docx_xml(&to_docx(&build(rulebook.spec(), &card, Lang::Zh)).unwrap());
    assert!(xml.contains(r#"<w:vMerge w:val="restart" />"#) || xml.contains(r#"w:val="restart""#));
    assert!(xml.contains("<w:vMerge"), "no merged cells");
}

/// A4, and page numbers as fields Word and LibreOffice fill in (第 X 页 共 Y 页).
#[test]
fn pages_are_a4_and_numbered() {
    let (_, rulebook, submission) = examples().into_iter().next().unwrap();
    let card = score(&rulebook, &submission, Lang::Zh);
    let docx = to_docx(&build(rulebook.spec(), &card, Lang::Zh)).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
    let xml = docx_xml(&docx);
    assert!(
        xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#),
        "not A4"
    );
    let footers: Vec<String> = (0..zip.len())
        .filter_map(|i| {
            let mut f = zip.by_index(i).ok()?;
            f.name().starts_with("word/footer").then(|| {
                let mut s = String::new();
                f.read_to_string(&mut s).unwrap();
                s
            })
        })
        .collect();
    let footer = footers.concat();
    assert!(
        footer.contains("PAGE") && footer.contains("NUMPAGES"),
        "{footer}"
    );
    assert!(
        footer.contains("第 ") && footer.contains(" 页 共 "),
        "{footer}"
    );
}

/// Opened by another reader: LibreOffice converts each report to text, which must hold the
/// total, the grade and every leaf; and to PDF, which must have pages. Skipped, loudly, only
/// where LibreOffice is not installed (`scripts/setup` installs it).
#[test]
fn libreoffice_reads_every_report() {
    let Some(soffice) = ["/usr/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        assert!(
            std::env::var_os("JIXIAO_REQUIRE_LIBREOFFICE").is_none(),
            "LibreOffice is required here but not installed"
        );
        eprintln!("SKIPPED: LibreOffice is not installed (scripts/setup installs it)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("jixiao-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cards = Vec::new();
    for (i, (name, rulebook, submission)) in examples().into_iter().enumerate() {
        let card = score(&rulebook, &submission, Lang::Zh);
        let report = build(rulebook.spec(), &card, Lang::Zh);
        std::fs::write(dir.join(format!("r{i}.docx")), to_docx(&report).unwrap()).unwrap();
        cards.push((name, rulebook, card));
    }
    // And the summary over one pack's projects.
    let (_, pack, _) = examples()
        .into_iter()
        .find(|(name, ..)| name.starts_with("gov-it-post/"))
        .unwrap();
    let pack_cards: Vec<&Scorecard> = cards
        .iter()
        .filter(|(name, ..)| name.starts_with("gov-it-post/"))
        .map(|(.., card)| card)
        .collect();
    let mut portfolio = Portfolio::new(pack.spec(), Lang::Zh);
    for card in &pack_cards {
        portfolio.add(ProjectSummary::of(card, Lang::Zh));
    }
    std::fs::write(
        dir.join("summary.docx"),
        to_docx(&portfolio.report()).unwrap(),
    )
    .unwrap();
    let mut docs: Vec<PathBuf> = (0..cards.len())
        .map(|i| dir.join(format!("r{i}.docx")))
        .collect();
    docs.push(dir.join("summary.docx"));
    for format in ["txt:Text (encoded):UTF8", "pdf"] {
        let status = std::process::Command::new(soffice)
            .args(["--headless", "--convert-to", format, "--outdir"])
            .arg(&dir)
            .args(&docs)
            .env("HOME", &dir)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "soffice --convert-to {format}");
    }
    for (i, (name, rulebook, card)) in cards.iter().enumerate() {
        let text = std::fs::read_to_string(dir.join(format!("r{i}.txt"))).unwrap();
        assert!(text.contains(&card.total.to_string()), "{name}: total");
        if let Some(grade) = &card.grade {
            assert!(text.contains(&*grade.label), "{name}: grade");
        }
        for leaf in card.indicators.iter().filter(|l| l.leaf) {
            assert!(text.contains(&*leaf.label), "{name}: {}", leaf.label);
            // Its score as the 评分表 and the analysis print it.
            if let Some(score) = leaf.score {
                let printed = format!("（分值 {} 分，得分 {score}）", leaf.points);
                assert!(text.contains(&printed), "{name}: {printed}");
            }
            for finding in &leaf.findings {
                assert!(
                    text.contains(&finding.message),
                    "{name}: {}",
                    finding.message
                );
            }
            // The suggestion the rulebook declares, wherever the leaf lost points.
            let lost = !leaf.findings.is_empty() || leaf.score.is_some_and(|s| s < leaf.points);
            let declared = rulebook.spec().indicators.iter().find(|i| i.id == *leaf.id);
            if let Some(suggestion) = declared.and_then(|i| i.suggestion.as_deref())
                && lost
            {
                assert!(text.contains(suggestion), "{name}: {suggestion}");
            }
        }
        for expert in &card.experts {
            assert!(text.contains(expert.as_str()), "{name}: expert {expert}");
        }
        let pdf_path = dir.join(format!("r{i}.pdf"));
        let pages = pdf_pages(&std::fs::read(&pdf_path).unwrap());
        assert!(pages >= 2, "{name}: {pages} pages");
        // The footer's 第 X 页 共 Y 页, as LibreOffice laid the pages out.
        if let Ok(out) = std::process::Command::new("pdftotext")
            .args(["-f", "1", "-l", "1"])
            .arg(&pdf_path)
            .arg("-")
            .output()
        {
            let first = String::from_utf8_lossy(&out.stdout).replace(char::is_whitespace, "");
            assert!(
                first.contains(&format!("第1页共{pages}页")),
                "{name}: footer of {pages} pages: {first}"
            );
        }
    }
    let summary = std::fs::read_to_string(dir.join("summary.txt")).unwrap();
    assert!(summary.contains("绩效评价结果汇总"), "{summary}");
    for card in pack_cards {
        assert!(
            summary.contains(&card.total.to_string()),
            "summary: {}",
            card.total
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The page objects of a PDF: `/Type /Page` (spaces optional), not `/Type /Pages`.
fn pdf_pages(pdf: &[u8]) -> usize {
    let mut pages = 0;
    let mut rest = pdf;
    while let Some(at) = rest.windows(5).position(|w| w == b"/Type") {
        rest = &rest[at + 5..];
        let after = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let word = &rest[after..];
        if word.starts_with(b"/Page") && !word.starts_with(b"/Pages") {
            pages += 1;
        }
    }
    pages
}

/// The whole report of a weak project as text, in both languages: wording, numbers and the
/// order of everything, reviewed as a snapshot.
#[test]
fn report_text_snapshots() {
    let (_, rulebook, submission) = examples()
        .into_iter()
        .find(|(name, ..)| name == "gov-it-post/weak")
        .unwrap();
    for (lang, name) in [
        (Lang::Zh, "gov_it_post_weak_zh"),
        (Lang::En, "gov_it_post_weak_en"),
    ] {
        let card = score(&rulebook, &submission, lang);
        let text = jixiao_report::to_text(&build(rulebook.spec(), &card, lang));
        insta::assert_snapshot!(name, text);
    }
}

/// The HTML page: merged level cells as rowspans, the page label for print, text escaped.
#[test]
fn html_merges_levels_and_escapes_text() {
    let (_, rulebook, submission) = examples()
        .into_iter()
        .find(|(name, ..)| name == "gov-it-post/average")
        .unwrap();
    let card = score(&rulebook, &submission, Lang::Zh);
    let mut report = build(rulebook.spec(), &card, Lang::Zh);
    let html = jixiao_report::to_html(&report);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(r#"rowspan=""#), "no merged level cells");
    assert!(
        html.contains("第 \" counter(page) \" 页 共 \" counter(pages)"),
        "no page label"
    );
    assert!(html.contains(&format!("<h1>{}</h1>", report.title)));
    report.blocks.push(jixiao_report::Block::Paragraph(
        "<script>x & y</script>".into(),
    ));
    let html = jixiao_report::to_html(&report);
    assert!(html.contains("&lt;script&gt;x &amp; y&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
}

/// Evidence references a submission attaches to an indicator reach the scorecard, the
/// 评分表's last column and the analysis.
#[test]
fn evidence_is_printed_where_it_belongs() {
    let (_, rulebook, mut submission) = examples()
        .into_iter()
        .find(|(name, ..)| name == "gov-it-post/average")
        .unwrap();
    let refs = vec![
        "附件 3：初步设计批复".to_string(),
        "附件 4：开工报告".to_string(),
    ];
    submission.evidence.insert("D1.2".into(), refs.clone());
    let card = score(&rulebook, &submission, Lang::Zh);
    assert_eq!(card.evidence["D1.2"], refs);
    assert_eq!(card.evidence.len(), 1);
    let report = build(rulebook.spec(), &card, Lang::Zh);
    let table = scoring_table(&report);
    assert_eq!(table.columns.last().unwrap().0, "佐证材料");
    let leaf_rows = table
        .rows
        .iter()
        .filter(|r| r.iter().any(|c| cell_text(c) == "立项审批规范性"));
    let row = leaf_rows.into_iter().next().unwrap();
    assert_eq!(
        cell_text(row.last().unwrap()),
        "附件 3：初步设计批复；附件 4：开工报告"
    );
    let text = jixiao_report::to_text(&report);
    assert!(
        text.contains("佐证材料：附件 3：初步设计批复；附件 4：开工报告"),
        "{text}"
    );
}

/// However deep a rulebook nests its indicators, the 评分表 gives ancestors at most five level
/// columns (plus the leaf's), so its size stays linear in the indicators: a comb 200 levels
/// deep, a leaf hanging at every level, makes 200 rows of at most 11 cells.
#[test]
fn deep_trees_keep_the_scoring_table_linear() {
    const DEPTH: usize = 200;
    let mut toml = format!(
        "id = \"deep\"\nversion = \"1\"\ntitle = \"深\"\nstage = \"post\"\ntotal = {DEPTH}\n"
    );
    for level in 0..DEPTH {
        let parent = if level == 0 {
            String::new()
        } else {
            format!("parent = \"n{}\"\n", level - 1)
        };
        toml.push_str(&format!(
            "[[indicators]]\nid = \"n{level}\"\n{parent}label = \"层{level}\"\n\n\
             [[indicators]]\nid = \"leaf{level}\"\nparent = \"n{level}\"\nlabel = \"末{level}\"\n\
             points = 1\nscript = 'full()'\n\n"
        ));
    }
    let rulebook = Rulebook::from_toml_str(&toml).unwrap();
    let card = score(&rulebook, &Submission::default(), Lang::Zh);
    assert!(card.complete, "{:?}", card.problems);
    let report = build(rulebook.spec(), &card, Lang::Zh);
    let table = scoring_table(&report);
    assert_eq!(
        table.columns.len(),
        6 + 4,
        "six level columns, then points, criteria, score, explanation (no evidence given)"
    );
    assert_eq!(table.rows.len(), DEPTH + 1);
    assert!(table.rows.iter().all(|row| row.len() <= 10));
    assert_eq!(cell_text(&table.rows.last().unwrap()[3]), DEPTH.to_string());
}

/// Text from a submission may carry characters XML 1.0 cannot hold (a control character in a
/// project name): the DOCX shows U+FFFD in their place instead of becoming a file no reader
/// opens, and the markup characters stay text.
#[test]
fn control_characters_do_not_break_the_docx() {
    let (_, rulebook, mut submission) = examples()
        .into_iter()
        .find(|(name, ..)| name == "demo/weak")
        .unwrap();
    submission.project.name = Some("A<b>&c \u{1}\u{1b} 项目".into());
    let card = score(&rulebook, &submission, Lang::Zh);
    let docx = to_docx(&build(rulebook.spec(), &card, Lang::Zh)).unwrap();
    let text = document_text(&docx);
    assert!(text.contains("A<b>&c \u{fffd}\u{fffd} 项目"), "{text}");
    assert!(
        !text
            .chars()
            .any(|c| c < ' ' && c != '\t' && c != '\n' && c != '\r')
    );
}

/// 专家评分汇总表: for every example where several experts graded, a row per graded item with
/// each expert's grade as the scorecard read it, the leaf's score, disagreement marked exactly
/// where grades are two or more levels apart, the experts named as the submission names them
/// (专家一 … otherwise), and a row to sign.
#[test]
fn the_experts_table_shows_every_grade_and_marks_disagreement() {
    let mut tables = 0;
    for (name, rulebook, submission) in examples() {
        let card = score(&rulebook, &submission, Lang::Zh);
        let report = build(rulebook.spec(), &card, Lang::Zh);
        let Some(table) = table_after(&report, "附件二：专家评分汇总表") else {
            continue;
        };
        tables += 1;
        let spec = rulebook.spec();
        let panel = table.columns.len() - 4;
        for (i, (title, _)) in table.columns[1..=panel].iter().enumerate() {
            let expected = card
                .experts
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("专家{}", ["一", "二", "三", "四", "五"][i]));
            assert_eq!(*title, expected, "{name}");
        }
        let (signatures, rows) = table.rows.split_last().unwrap();
        assert_eq!(cell_text(&signatures[0]), "专家签字");
        let mut graded = Vec::new();
        for leaf in card.indicators.iter().filter(|i| i.leaf) {
            for (id, value) in &leaf.reads {
                let Some(input) = spec
                    .inputs
                    .iter()
                    .find(|i| i.id == **id && i.kind == jixiao::model::InputType::Grade)
                else {
                    continue;
                };
                let grades: Vec<String> = match value {
                    serde_json::Value::Array(a) => {
                        a.iter().map(|g| g.as_str().unwrap().to_string()).collect()
                    }
                    v => vec![v.as_str().unwrap().to_string()],
                };
                graded.push((leaf, input, grades));
            }
        }
        assert_eq!(rows.len(), graded.len(), "{name}");
        for (row, (leaf, input, grades)) in rows.iter().zip(&graded) {
            assert_eq!(cell_text(&row[0]), input.label, "{name}");
            for (i, grade) in grades.iter().enumerate() {
                assert_eq!(cell_text(&row[1 + i]), grade, "{name} {}", input.label);
            }
            assert_eq!(
                cell_text(&row[panel + 2]),
                format!("{} / {}", leaf.score.unwrap(), leaf.points),
                "{name}"
            );
            let order = ["优", "良", "中", "差"];
            let positions: Vec<usize> = grades
                .iter()
                .filter_map(|g| order.iter().position(|o| o == g))
                .collect();
            let spread = positions.iter().max().unwrap() - positions.iter().min().unwrap();
            assert_eq!(
                cell_text(&row[panel + 3]).starts_with("意见分歧"),
                spread >= jixiao_report::DISAGREEMENT_LEVELS,
                "{name} {} {grades:?}",
                input.label
            );
        }
    }
    assert!(tables >= 3, "{tables} examples with several experts");
}

/// The chart of 三、: a bar per dimension and one for the total, each filling its attainment
/// to the nearest 5 % step, over bands where the rulebook's grades start; the DOCX shades
/// exactly those steps.
#[test]
fn the_chart_draws_each_attainment_against_the_thresholds() {
    use jixiao_report::Chart;
    for (name, rulebook, submission) in examples() {
        let card = score(&rulebook, &submission, Lang::Zh);
        let report = build(rulebook.spec(), &card, Lang::Zh);
        let chart = report
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Chart(c) => Some(c),
                _ => None,
            })
            .unwrap();
        assert_eq!(chart.bars.len(), card.dimensions.len() + 1, "{name}");
        for (bar, dim) in chart.bars.iter().zip(&card.dimensions) {
            assert_eq!(bar.attainment, dim.attainment, "{name}");
        }
        let spec = rulebook.spec();
        if !spec.grades.is_empty() {
            let mut starts: Vec<f64> = spec.grades.iter().map(|g| g.min / spec.total).collect();
            starts.sort_by(f64::total_cmp);
            let chart_starts: Vec<f64> = chart
                .bands
                .iter()
                .map(|(_, from)| from.to_string().parse().unwrap())
                .collect();
            assert_eq!(chart_starts, starts, "{name}");
        }
        let filled: usize = chart
            .bars
            .iter()
            .map(|b| b.attainment.map_or(0, Chart::filled_steps))
            .sum();
        let xml = docx_xml(&to_docx(&report).unwrap());
        assert_eq!(
            xml.matches(r#"w:fill="2F5597""#).count(),
            filled,
            "{name}: shaded steps"
        );
        // Every table's header row (the chart's too) repeats on each page it runs onto.
        let headed = report
            .blocks
            .iter()
            .filter(|b| match b {
                Block::Table(t) => t.columns.iter().any(|(title, _)| !title.is_empty()),
                Block::Chart(_) => true,
                _ => false,
            })
            .count();
        assert_eq!(xml.matches("<w:tblHeader />").count(), headed, "{name}");
    }
    let half = |n: i64| Chart::filled_steps(Decimal::new(n, 3));
    assert_eq!(
        (half(0), half(24), half(25), half(975), half(1000)),
        (0, 0, 1, 20, 20)
    );
    let chart = Chart {
        bands: vec![
            ("差".into(), Decimal::ZERO),
            ("良".into(), Decimal::new(85, 2)),
        ],
        bars: Vec::new(),
    };
    assert_eq!((chart.band_of_step(16), chart.band_of_step(17)), (0, 1));
    assert_eq!(chart.band_runs(), [(0, 0, 17), (1, 17, 3)]);
}

/// A scorecard as the WebAssembly module may receive it, naming a thousand experts: the
/// 专家评分汇总表 stays within the engine's limit of experts (Word refuses over 63 columns).
#[test]
fn the_experts_table_is_bounded_whatever_the_scorecard_says() {
    let (_, rulebook, submission) = examples()
        .into_iter()
        .find(|(name, ..)| name == "gov-it-post/weak")
        .unwrap();
    let mut card = score(&rulebook, &submission, Lang::Zh);
    card.experts = (1..=1000).map(|i| format!("专家{i}")).collect();
    let report = build(rulebook.spec(), &card, Lang::Zh);
    let table = table_after(&report, "附件二：专家评分汇总表").unwrap();
    assert_eq!(table.columns.len(), jixiao::limits::MAX_EXPERTS + 4);
    assert!(table.rows.iter().all(|r| r.len() == table.columns.len()));
    assert!(to_docx(&report).is_ok());
}

/// A panel where one expert has not graded an item yet: the grades given stay in their
/// experts' columns, the expert who has not graded shows —, and the combination counts the
/// grades given.
#[test]
fn an_expert_who_has_not_graded_shows_a_dash_in_their_column() {
    let (_, rulebook, mut submission) = examples()
        .into_iter()
        .find(|(name, ..)| name == "gov-it-post/average")
        .unwrap();
    let spec = rulebook.spec();
    let input = spec
        .inputs
        .iter()
        .find(|i| i.kind == jixiao::model::InputType::Grade)
        .unwrap();
    submission.experts = vec!["张明".into(), "李华".into(), "王芳".into()];
    submission
        .values
        .insert(input.id.clone(), serde_json::json!(["优", null, "中"]));
    let card = score(&rulebook, &submission, Lang::Zh);
    let report = build(spec, &card, Lang::Zh);
    let table = table_after(&report, "附件二：专家评分汇总表").unwrap();
    let row = table
        .rows
        .iter()
        .find(|r| cell_text(&r[0]) == input.label)
        .unwrap();
    let grades: Vec<&str> = row[1..=3].iter().map(cell_text).collect();
    assert_eq!(grades, ["优", "—", "中"]);
    assert_eq!(cell_text(&row[6]), "意见分歧：优—中");
    let findings: Vec<&str> = card
        .indicators
        .iter()
        .flat_map(|i| i.findings.iter().map(|f| f.message.as_str()))
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f.contains("尚有 1 位专家未评级（按已评的 2 位计分）")),
        "{findings:?}"
    );
}
