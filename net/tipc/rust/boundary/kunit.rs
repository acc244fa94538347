// SPDX-License-Identifier: GPL-2.0

//! KUnit cases of the server (`CONFIG_TIPC_SERVER_RUST_KUNIT_TEST`).
//!
//! Each layer keeps its cases in its own `tests.rs`, written inside one
//! [`kunit_cases!`] block, which lists them as that file's `CASES`; the
//! crate root names every file's `CASES` in one table, and `kunit.c` runs
//! each entry as one parameter of the suite `tipc_rust_server`. A new case
//! is one function in the block next to the others of its layer.

use core::ffi::c_int;
use kernel::ffi::c_char;
use kernel::str::CStr;

/// A KUnit case: returns 0, or the line of the check that failed.
pub(crate) struct Case {
    pub(crate) name: &'static CStr,
    pub(crate) run: fn() -> c_int,
}

/// Defines the functions in it as KUnit cases, listed in `CASES`.
macro_rules! kunit_cases {
    ($($(#[$meta:meta])* fn $name:ident() -> c_int $body:block)*) => {
        $($(#[$meta])* fn $name() -> core::ffi::c_int $body)*

        /// The cases of this file, for the crate's table.
        pub(crate) const CASES: &[$crate::boundary::kunit::Case] = &[$(
            $crate::boundary::kunit::Case { name: kernel::c_str!(stringify!($name)), run: $name },
        )*];
    };
}
pub(crate) use kunit_cases;

/// Returns from a case with the current line if `$c` is false.
macro_rules! check {
    ($c:expr) => {
        if !$c {
            kernel::pr_err!("check failed: {}\n", stringify!($c));
            return line!() as core::ffi::c_int;
        }
    };
}
pub(crate) use check;

fn nth(tables: &[&'static [Case]], i: u32) -> Option<&'static Case> {
    tables.iter().flat_map(|t| t.iter()).nth(i as usize)
}

/// The number of cases in `tables`.
pub(crate) fn count(tables: &[&'static [Case]]) -> u32 {
    tables.iter().map(|t| t.len() as u32).sum()
}

/// The name of case `i`.
pub(crate) fn name(tables: &[&'static [Case]], i: u32) -> *const c_char {
    nth(tables, i)
        .map_or(kernel::c_str!("?"), |c| c.name)
        .as_char_ptr()
}

/// Runs case `i`.
pub(crate) fn run(tables: &[&'static [Case]], i: u32) -> c_int {
    nth(tables, i).map_or(-1, |c| (c.run)())
}
