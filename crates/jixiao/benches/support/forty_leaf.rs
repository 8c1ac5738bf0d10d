//! The 40-leaf benchmark rulebook and its submissions, shared by the criterion benchmark
//! and the `profile_eval` example.

use jixiao::Submission;

/// A 40-leaf rulebook: 4 dimensions × 2 groups × 5 leaves, every scoring helper in use,
/// 10 KPIs, 50 inputs. Generated so the benchmark needs no fixture.
pub fn forty_leaf_rulebook() -> String {
    let mut t = String::from(
        "id = \"bench-40\"\nversion = \"1\"\ntitle = \"基准测试 40 项\"\nstage = \"post\"\n",
    );
    for i in 0..40 {
        t += &format!(
            "[[inputs]]\nid = \"x{i}\"\nlabel = \"数据项{i}\"\ntype = \"number\"\nmin = 0\n"
        );
    }
    for i in 0..5 {
        t += &format!("[[inputs]]\nid = \"g{i}\"\nlabel = \"专家评级{i}\"\ntype = \"grade\"\n");
        t += &format!("[[inputs]]\nid = \"b{i}\"\nlabel = \"是否{i}\"\ntype = \"bool\"\n");
    }
    for k in 0..10 {
        t += &format!(
            "[[kpis]]\nid = \"k{k}\"\nlabel = \"比率{k}\"\nexpr = \"x{} / x{}\"\nformat = \"percent\"\n",
            2 * k,
            2 * k + 1
        );
    }
    let scripts = [
        "proportional(\"k{k}\", 0.95)",
        "tiered(\"k{k}\", [[0.9, 1.0], [0.8, 0.8], [0.6, 0.5]])",
        "grade(\"g{g}\")",
        "yes_no(\"b{g}\")",
        "deduct([[x{x} > 50.0, 1, \"问题甲\"], [b{g}, 0.5, \"问题乙\"]])",
        "linear(\"k{k}\", 0.5, 1.0)",
        "satisfaction(\"k{k}\", 0.9)",
        "proportional_reverse(\"k{k}\", 0.8)",
        "if x{x} > 10.0 { full() } else { zero(\"未达标\") }",
        "let r = k{k}; if r > 1.0 { full() } else { award(points * r, \"按比例\") }",
    ];
    let mut leaf = 0;
    for d in 0..4 {
        t += &format!("[[indicators]]\nid = \"D{d}\"\nlabel = \"维度{d}\"\n");
        for g in 0..2 {
            t += &format!(
                "[[indicators]]\nid = \"D{d}.{g}\"\nparent = \"D{d}\"\nlabel = \"二级{d}.{g}\"\n"
            );
            for l in 0..5 {
                let s = scripts[leaf % scripts.len()]
                    .replace("{k}", &(leaf % 10).to_string())
                    .replace("{g}", &(leaf % 5).to_string())
                    .replace("{x}", &(leaf % 40).to_string());
                t += &format!(
                    "[[indicators]]\nid = \"D{d}.{g}.{l}\"\nparent = \"D{d}.{g}\"\nlabel = \"三级{leaf}\"\npoints = 2.5\nscript = '{s}'\n"
                );
                leaf += 1;
            }
        }
    }
    t
}

pub fn submission(seed: u64) -> Submission {
    let mut values = serde_json::Map::new();
    let mut r = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        r = r
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (r >> 33) as f64 / (1u64 << 31) as f64
    };
    for i in 0..40 {
        values.insert(format!("x{i}"), (10.0 + next() * 90.0).round().into());
    }
    let grades = ["优", "良", "中", "差"];
    for i in 0..5 {
        let g: Vec<&str> = (0..3)
            .map(|_| grades[(next() * 4.0) as usize % 4])
            .collect();
        values.insert(format!("g{i}"), g.into());
        values.insert(format!("b{i}"), (next() > 0.3).into());
    }
    serde_json::from_value(serde_json::json!({ "values": values })).expect("benchmark fixture")
}
