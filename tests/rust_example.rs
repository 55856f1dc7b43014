//! The Rust Poisson example prints what every other language's example prints.

mod common;

#[path = "../examples/rust/poisson.rs"]
mod poisson;

#[test]
fn rust_example_matches_the_other_languages() {
    common::check_poisson_output("Rust", &poisson::run());
}
