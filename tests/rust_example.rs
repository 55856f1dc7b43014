//! The Rust examples print what every other language's examples print.

mod common;

#[path = "../examples/rust/poisson.rs"]
mod poisson;

#[test]
fn rust_example_matches_the_other_languages() {
    common::check_poisson_output("Rust", &poisson::run());
}

#[test]
fn rust_recycling_example_is_consistent() {
    common::check_recycling_output("Rust", &common::recycling_example::run());
}
