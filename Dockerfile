# syntax=docker/dockerfile:1
# One image for every Airflow service in docker-compose.yml: Python 3.11, the project and
# its locked dependencies (uv.lock, celery extra included) in /opt/claimledger/.venv.
FROM python:3.11-slim

# Same uv as wrote uv.lock, so `--frozen` reads it exactly as CI does.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/claimledger/.venv \
    AIRFLOW_HOME=/opt/airflow \
    CLAIMLEDGER_HOME=/opt/claimledger

# dumb-init as PID 1, as in Airflow's image: it forwards signals and reaps zombies, and with
# DUMB_INIT_SETSID=0 (the Celery worker in docker-compose.yml) signals only the main process.
RUN apt-get update \
 && apt-get install -y --no-install-recommends dumb-init \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/claimledger

# Dependencies first, in their own layer: rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --all-extras --no-dev --no-install-project

# Then the project itself, installed editable so docker-compose's bind mounts of these
# folders replace the baked-in copies.
COPY README.md ./
COPY transforms ./transforms
COPY expectations ./expectations
COPY dags ./dags
COPY dbt_project ./dbt_project
COPY config ./config
COPY corpus ./corpus
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --all-extras --no-dev

ENV PATH="/opt/claimledger/.venv/bin:${PATH}"

# Like the official Airflow image: a user with uid 50000 in group 0, and group-writable
# folders, so the services also run under any other uid given by AIRFLOW_UID.
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home airflow \
 && mkdir -p /opt/airflow/logs /opt/airflow/auth /opt/claimledger/warehouse \
 && chown -R 50000:0 /opt/airflow /opt/claimledger/warehouse /opt/claimledger/dbt_project \
 && chmod -R g+rwX /opt/airflow /opt/claimledger/warehouse /opt/claimledger/dbt_project

USER 50000
EXPOSE 8080
ENTRYPOINT ["/usr/bin/dumb-init", "--"]
CMD ["airflow", "version"]
