# One image for all the services; SERVICE picks the one a container runs:
#   docker build -t dangxiao .
#   docker run -e SERVICE=hours -e DANGXIAO_ENVIRONMENT=production -e DANGXIAO_DATABASE_URL=… -p 8002:8002 dangxiao
# (docker-compose.yml runs every service and its migrate step with an explicit command instead.)
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The CJK font the certificates' PDFs are set in (LXGW WenKai: TrueType outlines that every PDF reader extracts).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-lxgw-wenkai \
    && rm -rf /var/lib/apt/lists/*

# The dependencies first, exactly as locked (hashes checked), so that a code change does not reinstall them.
COPY requirements/runtime.lock ./requirements/runtime.lock
RUN pip install --require-hashes -r requirements/runtime.lock

COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
# The project itself (its dependencies are in already); bytecode compiled now, as the app user cannot write it.
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info \
    && python -m compileall -q shared services

# Not root. DANGXIAO_DATA_DIR only matters for the embedded SQLite default (production needs a database URL).
RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home dangxiao \
    && mkdir -p /var/lib/dangxiao \
    && chown dangxiao:dangxiao /var/lib/dangxiao
ENV DANGXIAO_HTTP_HOST=0.0.0.0 \
    DANGXIAO_DATA_DIR=/var/lib/dangxiao
USER dangxiao

# enrollment 8001, hours 8002, evaluation 8003, certificates 8004, planning 8005 (each service's default
# DANGXIAO_HTTP_PORT)
EXPOSE 8001-8005

# The port is DANGXIAO_HTTP_PORT if set, else the default of the chosen service's settings class.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import importlib, os, urllib.request; \
port = os.environ.get('DANGXIAO_HTTP_PORT') or importlib.import_module('services.' + os.environ['SERVICE'] + '.settings').Settings.model_fields['http_port'].default; \
urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"

# exec: python replaces the shell as PID 1, so `docker stop` (SIGTERM) reaches the service itself.
CMD ["sh", "-c", "exec python -m \"services.${SERVICE:?set SERVICE to enrollment, hours, evaluation, certificates or planning}\" serve"]
