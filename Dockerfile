# Two stages: wheels are built with the build tools, the runtime image gets only them.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway gateway
COPY resolvers resolvers
COPY connectors connectors
COPY jobs jobs
COPY demo demo
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels talentgraph && rm -rf /wheels

RUN useradd --create-home --uid 10001 talentgraph \
    && mkdir -p /app/data \
    && chown -R talentgraph:talentgraph /app
WORKDIR /app
USER talentgraph
ENV TALENTGRAPH_DATA_DIR=/app/data

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["talentgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
