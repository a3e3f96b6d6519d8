//! The lists of platforms and modes the reference writes out by hand are the enums' own
//! variants: a platform or mode added to the code and not to the docs (or dropped from the
//! code and left in the docs) fails here.

use clap::ValueEnum;

use envguard::platform::{Mode, Platform};

fn reference() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference.md"))
        .expect("docs/reference.md")
}

/// The backticked words of `text`.
fn quoted(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The names clap gives the variants of `T`.
fn names<T: ValueEnum>() -> Vec<String> {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
        .collect()
}

/// The value column of the keys table's row for `key`.
fn row(key: &str) -> String {
    let reference = reference();
    let line = reference
        .lines()
        .find(|l| l.starts_with(&format!("| `{key}` |")))
        .unwrap_or_else(|| panic!("docs/reference.md has no row for {key}"));
    line.split('|').nth(3).expect("a third column").to_string()
}

#[test]
fn the_platform_lists_are_the_platforms() {
    let mut expected = names::<Platform>();
    expected.sort();
    let mut in_row = quoted(&row("envguard.platform"));
    in_row.sort();
    assert_eq!(in_row, expected, "the keys table's envguard.platform row");
    // The "Platforms" section's own list, up to its `auto`.
    let reference = reference();
    let section = reference
        .split_once("`envguard.platform` names it: ")
        .expect("the Platforms section's list")
        .1;
    let list = section.split_once("or `auto`").expect("ends with `auto`").0;
    let mut in_section = quoted(list);
    in_section.sort();
    assert_eq!(in_section, expected, "the Platforms section's list");
}

#[test]
fn the_mode_list_is_the_modes() {
    let value = row("envguard.mode");
    let listed = value.split_once("pre-push:").expect("the pre-push modes").1;
    let mut in_row = quoted(listed);
    in_row.sort();
    let mut expected = names::<Mode>();
    expected.sort();
    assert_eq!(in_row, expected);
}
