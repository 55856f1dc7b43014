/*
 * Thread-count control: prints the count at start-up (from NKS_NUM_THREADS or the core
 * count), after nks_set_num_threads(1), and after nks_set_num_threads(0) (back to the
 * default). tests/c_programs.rs runs it with different environments.
 */
#include <stdio.h>
#include "nksolve.h"

int main(void) {
    size_t start = nks_get_num_threads();
    size_t one, restored;
    if (nks_set_num_threads(1) != NKS_OK) return 1;
    one = nks_get_num_threads();
    if (nks_set_num_threads(0) != NKS_OK) return 1;
    restored = nks_get_num_threads();
    printf("threads start=%zu one=%zu restored=%zu\n", start, one, restored);
    return 0;
}
