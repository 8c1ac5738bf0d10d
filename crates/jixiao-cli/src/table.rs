//! The scorecard as a plain-text table, indented by level, aligned for CJK text.

use jixiao::{Lang, Scorecard, Status};
use unicode_width::UnicodeWidthStr;

fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

fn pad_left(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(width - w))
    }
}

pub fn render(card: &Scorecard, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut lines = Vec::new();
    let name = card.project.name.as_deref().unwrap_or("");
    let id = card.project.id.as_deref().unwrap_or("");
    lines.push(format!(
        "{} {} {}   {} {} {}",
        if zh { "项目" } else { "Project" },
        id,
        name,
        if zh { "评价方案" } else { "Rulebook" },
        card.rulebook.id,
        card.rulebook.version
    ));
    let label_w = card
        .indicators
        .iter()
        .map(|i| (i.level as usize - 1) * 2 + i.id.width() + 1 + label(i, zh).width())
        .max()
        .unwrap_or(10)
        .max(12);
    let head = [
        pad(if zh { "指标" } else { "Indicator" }, label_w),
        pad_left(if zh { "分值" } else { "Points" }, 7),
        pad_left(if zh { "得分" } else { "Score" }, 7),
        pad_left(if zh { "得分率" } else { "Rate" }, 8),
        (if zh { "说明" } else { "Explanation" }).to_string(),
    ];
    lines.push(head.join("  "));
    lines.push("─".repeat(label_w + 30));
    for i in &card.indicators {
        let name = format!(
            "{}{} {}",
            "  ".repeat(i.level as usize - 1),
            i.id,
            label(i, zh)
        );
        let score = match (i.status, i.score) {
            (Status::NotApplicable, _) => (if zh { "不适用" } else { "N/A" }).to_string(),
            (_, Some(s)) => s.to_string(),
            (Status::Error, None) => (if zh { "错误" } else { "error" }).to_string(),
            (_, None) => (if zh { "未评分" } else { "—" }).to_string(),
        };
        let rate = i
            .attainment
            .map(|a| {
                let pct = (a * jixiao::Decimal::from(100))
                    .round_dp_with_strategy(1, jixiao::RoundingStrategy::MidpointAwayFromZero);
                format!("{pct:.1}%")
            })
            .unwrap_or_default();
        let mut text = i.explanation.clone().unwrap_or_default();
        if let Some(e) = &i.error {
            text = if zh {
                e.message.clone()
            } else {
                e.message_en.clone()
            };
        }
        if let Some(f) = &i.flag {
            text = format!("[{f}] {text}");
        }
        lines.push(format!(
            "{}  {}  {}  {}  {}",
            pad(&name, label_w),
            pad_left(&i.points.to_string(), 7),
            pad_left(&score, 7),
            pad_left(&rate, 8),
            text
        ));
    }
    lines.push("─".repeat(label_w + 30));
    let grade = card.grade.as_ref().map(|g| {
        if zh {
            g.label.clone()
        } else {
            g.label_en.clone().unwrap_or_else(|| g.label.clone())
        }
    });
    let total = if card.total == card.raw_total {
        card.total.to_string()
    } else if zh {
        format!(
            "{}（{} / {} 折算为百分制）",
            card.total, card.raw_total, card.max_points
        )
    } else {
        format!(
            "{} ({} of {} rescaled)",
            card.total, card.raw_total, card.max_points
        )
    };
    match (grade, zh) {
        (Some(g), true) => lines.push(format!("总分 {total}    等级 {g}")),
        (Some(g), false) => lines.push(format!("Total {total}    Grade {g}")),
        (None, true) => lines.push(format!("总分 {total}    ⚠ 评分未完成，暂不定级")),
        (None, false) => lines.push(format!("Total {total}    ⚠ incomplete: no grade yet")),
    }
    let findings: Vec<String> = card
        .indicators
        .iter()
        .flat_map(|i| {
            i.findings
                .iter()
                .map(move |f| format!("  - {} {}：{}", i.id, label(i, zh), f.message))
        })
        .collect();
    if !findings.is_empty() {
        lines.push(if zh {
            "扣分原因 / 存在问题：".into()
        } else {
            "Findings:".into()
        });
        lines.extend(findings);
    }
    if !card.problems.is_empty() {
        lines.push(if zh {
            "填报问题：".into()
        } else {
            "Submission problems:".into()
        });
        for p in &card.problems {
            lines.push(format!(
                "  - {}",
                if zh { &p.message } else { &p.message_en }
            ));
        }
    }
    lines.push(format!(
        "{}  engine {}",
        card.rulebook.hash, card.engine_version
    ));
    lines.join("\n")
}

fn label(i: &jixiao::IndicatorScore, zh: bool) -> &str {
    match (&i.label_en, zh) {
        (Some(en), false) => en,
        _ => &i.label,
    }
}
