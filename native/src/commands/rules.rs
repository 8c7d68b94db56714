//! `slatecheck rules` and `slatecheck explain ID`.

use crate::exit::{print, Failure, SAFE};
use slatecheck_core::rules::{find_rule, RULES};

pub fn list() -> Result<u8, Failure> {
    let mut out = String::new();
    for rule in RULES {
        out.push_str(&format!(
            "{:<14} {:<28} {:<8} {}\n",
            rule.id,
            rule.name,
            rule.severity.name(),
            rule.summary
        ));
    }
    print(&out)?;
    Ok(SAFE)
}

pub fn explain(id: &str) -> Result<u8, Failure> {
    let rule = find_rule(id)
        .ok_or_else(|| Failure::input(format!("no rule `{id}`; `slatecheck rules` lists them")))?;
    let doc: String = rule
        .doc
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    print(&format!(
        "# {} ({})\n\nDefault severity: {}\n\n{}\n",
        rule.name,
        rule.id,
        rule.severity.name(),
        doc.trim()
    ))?;
    Ok(SAFE)
}
