//! The report's fixed wording, zh-CN as the policy documents put it, and English.

use jixiao::Lang;
use jixiao::model::Stage;

/// One text in both languages.
pub(crate) struct Words {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Words {
    pub fn in_lang(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            _ => self.en,
        }
    }
}

macro_rules! words {
    ($($name:ident = $zh:literal, $en:literal;)*) => {
        $(pub(crate) const $name: Words = Words { zh: $zh, en: $en };)*
    };
}

words! {
    BASIC = "一、基本情况", "1. Background";
    WORK = "二、评价工作开展情况", "2. How the evaluation was done";
    CONCLUSION = "三、综合评价结论", "3. Overall conclusion";
    ANALYSIS = "四、绩效分析", "4. Performance analysis";
    PROBLEMS = "五、存在的问题及原因", "5. Problems found and their causes";
    SUGGESTIONS = "六、有关建议", "6. Suggestions";
    OTHER = "七、其他", "7. Other matters";
    ANNEX = "附件：绩效评价指标体系及评分表", "Annex: indicator system and scoring table";
    TO_WRITE_BASIC = "【待填写：项目概况、资金投入和使用情况、绩效目标】", "[To write: the project, its funds and their use, its performance targets]";
    TO_WRITE_WORK = "【待填写：评价依据、评价方法、评价人员和评价时间】", "[To write: the basis, method, team and period of the evaluation]";
    TO_WRITE_SUGGESTIONS = "【待填写：针对上述问题的整改建议】", "[To write: what should be done about the problems above]";
    TO_WRITE_OTHER = "【待填写：需要说明的其他问题】", "[To write: anything else to note]";
    NO_PROBLEMS = "未发现扣分事项。", "No points were lost.";
    NO_SUGGESTIONS = "各项指标均得满分，暂无整改建议。", "Every indicator earned full marks: nothing to suggest.";
    DIMENSION = "评价维度", "Dimension";
    POINTS = "分值", "Points";
    SCORE = "得分", "Score";
    ATTAINMENT = "得分率", "Attainment";
    CRITERIA = "评分标准", "Scoring criteria";
    EXPLANATION = "评分说明", "Explanation";
    EVIDENCE = "佐证材料", "Evidence";
    TOTAL = "合计", "Total";
    NOT_APPLICABLE = "不适用", "not applicable";
    UNSCORED = "未评分", "not scored";
    FAILED = "评分出错", "scoring failed";
    PROJECT_NAME = "项目名称", "Project";
    PROJECT_ID = "项目编号", "Project id";
}

/// 一 to 十, as headings and level names count.
const ZH_NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Column titles of the indicator levels (1-based): 一级指标, 二级指标 ….
pub(crate) fn level_title(level: usize, lang: Lang) -> String {
    match (lang, ZH_NUMERALS.get(level - 1)) {
        (Lang::Zh, Some(n)) => format!("{n}级指标"),
        (Lang::Zh, None) => format!("{level}级指标"),
        _ => format!("Level {level}"),
    }
}

/// （一）（二）… for the subsections of 四 and 五 (`i` 0-based).
pub(crate) fn sub_number(i: usize, lang: Lang) -> String {
    match (lang, ZH_NUMERALS.get(i)) {
        (Lang::Zh, Some(n)) => format!("（{n}）"),
        (Lang::Zh, None) => format!("（{}）", i + 1),
        _ => format!("({}) ", i + 1),
    }
}

/// The report's title for a stage of the budget cycle.
pub(crate) fn title(stage: Stage, lang: Lang) -> &'static str {
    let words = match stage {
        Stage::ExAnte => Words {
            zh: "事前绩效评估报告",
            en: "Ex-ante performance assessment report",
        },
        Stage::Monitoring => Words {
            zh: "绩效运行监控报告",
            en: "Performance monitoring report",
        },
        Stage::SelfEval => Words {
            zh: "绩效自评报告",
            en: "Performance self-evaluation report",
        },
        Stage::Post => Words {
            zh: "绩效评价报告",
            en: "Performance evaluation report",
        },
    };
    words.in_lang(lang)
}
