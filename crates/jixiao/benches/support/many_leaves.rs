//! A rulebook of `n` leaves under one dimension, each scored by the same script, points adding
//! up to 100: what the sandbox tests and the hostile-script benchmark (examples/hostile.rs)
//! run their scripts in.

/// `n` leaves `L0`…, each running `script`.
pub fn many_leaves(n: usize, script: &str) -> String {
    let mut text = String::from(
        "id = \"many\"\nversion = \"1\"\ntitle = \"多指标\"\nstage = \"post\"\n\n[[indicators]]\nid = \"A\"\nlabel = \"维度\"\n",
    );
    let cents = 10_000 / n;
    for i in 0..n {
        let c = if i + 1 == n {
            10_000 - cents * (n - 1)
        } else {
            cents
        };
        text.push_str(&format!(
            "\n[[indicators]]\nid = \"L{i}\"\nparent = \"A\"\nlabel = \"指标{i}\"\npoints = {}.{:02}\nscript = \"\"\"\n{script}\n\"\"\"\n",
            c / 100,
            c % 100
        ));
    }
    text
}
