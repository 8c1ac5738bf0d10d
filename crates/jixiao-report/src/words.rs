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
    ANNEX_SCORING = "附件一：绩效评价指标体系及评分表", "Annex 1: indicator system and scoring table";
    ANNEX_EXPERTS = "附件二：专家评分汇总表", "Annex 2: experts' grades";
    AGGREGATE = "综合方法", "Combined by";
    REMARK = "备注", "Remark";
    SIGNATURE = "专家签字", "Signatures";
    DISAGREEMENT_NOTE = "注：同一事项专家评级相差两档及以上的，备注栏标为意见分歧；得分为该指标按评价方案综合各专家评级后的得分。", "Grades of one item two or more levels apart are marked as a disagreement; the score is the indicator's, with the grades combined as the rulebook says.";
    SUMMARY_OVERVIEW = "一、总体情况", "1. Overview";
    SUMMARY_GRADES = "二、评价等级分布", "2. Grades";
    SUMMARY_DIMENSIONS = "三、各维度得分情况", "3. Dimensions";
    SUMMARY_RANKING = "四、项目得分排名", "4. Ranking";
    SUMMARY_PROBLEMS = "五、主要问题及建议", "5. Most frequent problems and suggestions";
    SUMMARY_FAILED = "六、未能评分的项目", "6. Projects that could not be scored";
    GRADE = "评价等级", "Grade";
    PROJECTS = "项目数", "Projects";
    SHARE_OF_COMPLETE = "占完成评分项目比例", "Share of fully scored";
    SHARE = "占比", "Share";
    NO_GRADE = "未评定等级（评分不完整或未能评分）", "No grade (incomplete or not scored)";
    INCOMPLETE = "未完成", "incomplete";
    AVERAGE_SCORE = "平均得分", "Average score";
    AVERAGE_ATTAINMENT = "平均得分率", "Average attainment";
    RANK = "排名", "Rank";
    TOTAL_SCORE = "总分", "Total";
    INDICATOR = "指标", "Indicator";
    PROJECTS_LOSING = "扣分项目数", "Projects losing points";
    COMMON_FINDING = "主要扣分原因", "Most frequent finding";
    SUGGESTION = "整改建议", "Suggestion";
}

/// 一 to 十, as headings and level names count.
const ZH_NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// 一 to 十 for 1 to 10, the digits beyond.
pub(crate) fn numeral(n: usize) -> String {
    match n.checked_sub(1).and_then(|i| ZH_NUMERALS.get(i)) {
        Some(numeral) => (*numeral).to_string(),
        None => n.to_string(),
    }
}

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

/// A stage's titles: of one project's report, and of the summary over many (评价结果汇总).
fn stage_titles(stage: Stage) -> [Words; 2] {
    let (report, summary) = match stage {
        Stage::ExAnte => (
            ("事前绩效评估报告", "Ex-ante performance assessment report"),
            (
                "事前绩效评估结果汇总",
                "Ex-ante assessment: summary of results",
            ),
        ),
        Stage::Monitoring => (
            ("绩效运行监控报告", "Performance monitoring report"),
            (
                "绩效运行监控结果汇总",
                "Performance monitoring: summary of results",
            ),
        ),
        Stage::SelfEval => (
            ("绩效自评报告", "Performance self-evaluation report"),
            ("绩效自评结果汇总", "Self-evaluation: summary of results"),
        ),
        Stage::Post => (
            ("绩效评价报告", "Performance evaluation report"),
            (
                "绩效评价结果汇总",
                "Performance evaluation: summary of results",
            ),
        ),
    };
    [report, summary].map(|(zh, en)| Words { zh, en })
}

/// The report's title for a stage of the budget cycle.
pub(crate) fn title(stage: Stage, lang: Lang) -> &'static str {
    let [report, _] = stage_titles(stage);
    report.in_lang(lang)
}

/// The title of the summary over many projects for a stage.
pub(crate) fn summary_title(stage: Stage, lang: Lang) -> &'static str {
    let [_, summary] = stage_titles(stage);
    summary.in_lang(lang)
}
