// SPDX-License-Identifier: GPL-2.0
//! KTAP output (Documentation/dev-tools/ktap.rst) for userspace suites, so
//! the host reads them with the same parser as the in-kernel KUnit suites.

/// The outcome of one test case: `Err` carries why it failed.
pub type CaseResult = Result<(), String>;

/// A test case: a name and the function that runs it.
pub type Case = (&'static str, fn() -> CaseResult);

/// Runs `cases` as the KTAP suite `suite`; returns the number that failed.
pub fn run_suite(suite: &str, cases: &[Case], only: Option<&str>) -> usize {
    let cases: Vec<&Case> = cases
        .iter()
        .filter(|c| only.is_none_or(|o| o == c.0))
        .collect();
    println!("KTAP version 1");
    println!("1..1");
    println!("    KTAP version 1");
    println!("    # Subtest: {suite}");
    println!("    1..{}", cases.len());
    let mut failed = 0;
    for (i, (name, f)) in cases.iter().enumerate() {
        let r = f();
        match r {
            Ok(()) => println!("    ok {} {name}", i + 1),
            Err(why) => {
                failed += 1;
                for line in why.lines() {
                    println!("    # {name}: {line}");
                }
                println!("    not ok {} {name}", i + 1);
            }
        }
    }
    println!("{} 1 {suite}", if failed == 0 { "ok" } else { "not ok" });
    failed
}

/// Fails the current case with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)*) => {
        if !$cond {
            return Err(format!("{}:{}: {}", file!(), line!(), format!($($fmt)*)));
        }
    };
}
