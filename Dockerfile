# The FinEasy AI backend image: Python 3.11 with Ray 2.60.0 (Serve and its HAProxy) and the app,
# with its models trained at build time into /app/var/models (the default models folder), each
# pinned by its sha256 in config/serve.yaml and read-only to the app's user.
#
#   docker build -t ghcr.io/fineasy/ai-backend:0.1.0 .
#   docker run -p 8000:8000 -e ENVIRONMENT=development -e SUPABASE_JWT_SECRET=... ghcr.io/fineasy/ai-backend:0.1.0
#
# The default command runs one Ray node with the app (scripts/container/start.sh). On
# Kubernetes, KubeRay starts Ray in this image itself (k8s/rayservice.yaml). No secret is
# built in: settings come from the environment at run time. ENVIRONMENT has no default here
# either: a container started without it stops at start-up, naming it.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The OCR deployment's engine (docs/ocr.md): Tesseract 5.3 with its English and Hindi data from
# Debian bookworm. The OCR artifact pins the data's sha256, so both stages install the same
# exact versions (a replica with other data refuses the artifact).
ARG TESSERACT_PACKAGES="tesseract-ocr tesseract-ocr-eng=1:4.1.0-2 tesseract-ocr-hin=1:4.1.0-2"

FROM ${PYTHON_IMAGE} AS build
ARG TESSERACT_PACKAGES
# Tesseract to pin and measure the OCR artifact; the fonts its evaluation invoices are drawn in.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ${TESSERACT_PACKAGES} fonts-dejavu-core fonts-lohit-deva \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# The runtime dependencies first, pinned by the lock (a layer that survives code changes).
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/runtime.txt \
 && pip install -c requirements.lock -r /tmp/runtime.txt
COPY kernel ./kernel
COPY demo_data ./demo_data
COPY eval_world ./eval_world
COPY deployments ./deployments
COPY serve_app ./serve_app
COPY ops ./ops
COPY config ./config
COPY scripts/container ./scripts/container
# --check-pins: the build fails unless every model hashes to its pin in config/serve.yaml (the
# same training gives the same bytes): the RayService, generated from that file, pins the same.
RUN pip install --no-deps -e . \
 && fineasy train --version v1 --check-pins \
 && find /app -name __pycache__ -prune -exec rm -rf {} +

FROM ${PYTHON_IMAGE}
ARG TESSERACT_PACKAGES
# wget: KubeRay's worker readiness probe calls it; bash: KubeRay starts Ray through it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends wget ${TESSERACT_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 ray \
 && useradd --uid 1000 --gid 1000 --create-home --shell /bin/bash ray
COPY --from=build /opt/venv /opt/venv
# The code, config and models owned by root, read-only to the app's user: a replica that could
# write its models could swap them (their pins are in config/serve.yaml, read-only too). The
# user's own: var/logs (logs, the audit outbox) and var/data (the embedded SQLite file of a
# plain `docker run`).
COPY --from=build /app /app
RUN mkdir -p /app/var/logs /app/var/data && chown 1000:1000 /app/var/logs /app/var/data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RAY_USAGE_STATS_ENABLED=0 \
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    SQLITE_PATH=/app/var/data/fineasy.db
WORKDIR /app
USER 1000:1000
# 8000: Serve (the API); 8265: the Ray dashboard (keep it private).
EXPOSE 8000 8265
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["wget", "-qO", "/dev/null", "http://127.0.0.1:8000/health"]
CMD ["bash", "scripts/container/start.sh"]
