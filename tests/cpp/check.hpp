/**
 * The check harness shared by the C++ test programs in this folder (exceptions.cpp,
 * recycling.cpp, sor_bandit.cpp, sinkhorn.cpp, newton.cpp, nonlinear.cpp, constrained.cpp),
 * which tests/bindings_cpp.rs compiles and runs.
 *
 * Each check prints one line, "ok   WHAT" or "FAIL WHAT"; `summary()` prints the final
 * "N passed, M failed" line the Rust harness reads and gives the program's exit status.
 * Header-only, C++17.
 */
#ifndef NKSOLVE_TESTS_CPP_CHECK_HPP
#define NKSOLVE_TESTS_CPP_CHECK_HPP

#include <cstdio>
#include <exception>
#include <string>

#include "nksolve.hpp"

namespace nks_test {

/// The number of checks that passed so far.
inline int passed = 0;

/// The number of checks that failed so far.
inline int failed = 0;

/// Records one check: counts it and prints "ok   WHAT" or "FAIL WHAT".
inline void check(bool ok, const std::string& what) {
    if (ok) {
        ++passed;
        std::printf("ok   %s\n", what.c_str());
    } else {
        ++failed;
        std::printf("FAIL %s\n", what.c_str());
    }
}

/// Runs `f`, expecting an nks::Error with `status` whose message contains `needle` (and whose
/// what() contains the message) and, when `where` is not empty, raised by the C function
/// `where`. Records one check; an exception other than nks::Error propagates to `run`.
template <class F>
void expect_error(const std::string& what, nks_status status, const std::string& needle, F&& f,
                  const std::string& where = std::string()) {
    try {
        f();
        check(false, what + ": no exception");
    } catch (const nks::Error& e) {
        const bool ok = e.status() == status && e.message().find(needle) != std::string::npos &&
                        std::string(e.what()).find(e.message()) != std::string::npos &&
                        (where.empty() || e.where() == where);
        check(ok, what + ": status " + std::to_string(static_cast<int>(e.status())) + " from \"" + e.where() +
                      "\", message \"" + e.message() + "\"");
    }
}

/// Runs one group of checks (`body`, named `name`), turning an unexpected exception into a
/// failed check.
template <class F>
void run(const char* name, F&& body) {
    try {
        body();
    } catch (const std::exception& e) {
        check(false, std::string(name) + ": unexpected exception: " + e.what());
    } catch (...) {
        check(false, std::string(name) + ": unexpected non-standard exception");
    }
}

/// Whether the header this program was built with matches the library it runs against;
/// prints the mismatch when not (the program should then exit with status 2).
inline bool header_matches() {
    if (nks::header_matches_library()) {
        return true;
    }
    std::printf("header version %d does not match library %u\n", NKS_VERSION, nks::version());
    return false;
}

/// Prints the final "N passed, M failed" line and returns the exit status: 0 only when no
/// check failed and at least one passed, 1 otherwise.
inline int summary() {
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace nks_test

#endif  // NKSOLVE_TESTS_CPP_CHECK_HPP
