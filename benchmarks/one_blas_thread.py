"""Import before NumPy: BLAS on one thread for the benchmarks (DESIGN.md: a second thread only slows these
small matrices down). With threadpoolctl, `threadpool_limits(limits=1)` applies the limit; without it, the
environment does, which BLAS reads when NumPy loads it."""

import os

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = "1"
