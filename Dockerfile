# syntax=docker/dockerfile:1.7
#
# Build:  docker build -t fts-assistant .      (needs BuildKit, the default in Docker 23+)
# Run:    docker run -p 8080:8080 -v fts-data:/data --env-file .env fts-assistant
#
# Templates (askama) and migrations (sqlx::migrate!) are compiled into the
# binary; only the static assets are shipped next to it.

############################ build ############################
FROM rust:1-bookworm AS builder
WORKDIR /src

COPY . .

# Cache the registry and the target folder between builds; the target folder
# is a cache mount (not in the image), so the binary is copied out of it.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin fts-assistant \
 && cp /src/target/release/fts-assistant /usr/local/bin/fts-assistant

########################### runtime ###########################
FROM debian:bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 fts \
 && useradd --system --uid 10001 --gid fts --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin fts \
 && mkdir -p /data /app \
 && chown fts:fts /data

COPY --from=builder /usr/local/bin/fts-assistant /usr/local/bin/fts-assistant
COPY static/ /app/static/

ENV PORT=8080 \
    DATABASE_URL="sqlite:///data/fts-assistant.db?mode=rwc" \
    STATIC_DIR=/app/static

WORKDIR /data
VOLUME ["/data"]
USER fts
EXPOSE 8080

# No HEALTHCHECK: the platform (fly.io, see fly.toml) probes GET /healthz.
ENTRYPOINT ["fts-assistant"]
CMD ["serve"]
