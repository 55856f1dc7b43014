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

#[test]
fn rust_sinkhorn_example_agrees_with_pot() {
    let out = common::sinkhorn_example::run();
    common::check_sinkhorn_output("Rust", &out);
    let lines = common::parse_lines(&out);
    let num = |l: &str, k: &str| lines[l][k].parse::<f64>().unwrap();
    // POT 0.9.7 on the same clouds (ot.dist, ot.sinkhorn(method="sinkhorn_log", reg=0.01,
    // stopThr=1e-13)): <C, P> = 0.09816592321442413, so W2 = 0.3133144159058503; its plan has
    // 2964 entries >= 1e-4 carrying 0.8486542173 of the mass; <C,P> + eps KL(P | ab^T) =
    // 0.12476484169114535. Ours stops at a marginal error of 1e-9, hence the 1e-8 slack.
    for l in ["sinkhorn", "sns", "dense"] {
        assert!((num(l, "w2") - 0.3133144159058503).abs() < 1e-8 * 0.3133, "{l}: {}", num(l, "w2"));
    }
    assert!((num("dense", "regularized") - 0.12476484169114535).abs() < 1e-8 * 0.125);
    assert_eq!(lines["plan"]["nnz"], "2964");
    assert!((num("plan", "mass") - 0.8486542173).abs() < 1e-6);
    assert_eq!(lines["sns"]["converged"], "1");
    assert!(num("sns", "newton") < num("sinkhorn", "iterations") / 5.0, "SNS must need far fewer iterations:\n{out}");
}
