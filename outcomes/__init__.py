"""The `outcomes` command line."""

import os

# One thread per process for the numerical libraries, set before numpy loads (this package is
# imported before anything of the command's): model fits in the judge step and gunicorn workers,
# forked from here, would otherwise compete for the cores (4.2x the CPU measured on a busy 2-core box).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

