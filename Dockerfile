# One image for the worker, the API and the one-shot services (Temporal set-up, migrations): see
# docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The pinned runtime dependencies get their own layer, so a code change does not reinstall them.
# They are read from pyproject.toml (not constraints.txt, which also pins the dev tools).
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && pip install -c constraints.txt -r requirements.txt

# Everything but what .dockerignore leaves out (tests, benchmarks, the Webex emulator, local state):
# the code, the templates and the migrations (`alembic.ini` and its scripts, run by the `migrate`
# service). The code runs from /app (PYTHONPATH) rather than being installed, so the templates and
# `alembic.ini` sit where the code expects them.
COPY . .

RUN useradd --system --uid 10001 --home-dir /app tichet
USER tichet

EXPOSE 8000
CMD ["python", "-m", "worker"]
