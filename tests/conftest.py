import os

# Keep BLAS single-threaded in tests: 2 cores are shared with Ray and the servers.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
