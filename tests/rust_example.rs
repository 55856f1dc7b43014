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

#[test]
fn rust_sor_bandit_example_is_consistent() {
    let out = common::sor_bandit_example::run();
    common::check_sor_bandit_output("Rust", &out);
    // The learner must have learned: omega = 1 (Gauss-Seidel) needs about 220 sweeps at c = 0
    // (Young: rho = cos^2(pi / 11)), the best omega about 30; a learner averaging under 60 has
    // found the good region for most of the 400 systems.
    let total: usize = common::parse_lines(&out)["total"]["iterations"].parse().unwrap();
    assert!(total < 400 * 60, "total {total}");
}
