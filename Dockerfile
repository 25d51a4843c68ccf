# Multi-stage build of the worker. The build stage compiles the release binary (librdkafka is
# bundled and built from source, so no system Kafka library is needed); the runtime stage is a
# slim Debian with CA certificates, a non-root user and the binary only.

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && for b in mask genesys audit pipeline; do echo 'fn main() {}' > benches/$b.rs; done \
    && cargo build --release --locked --bin escalation-masker || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin escalation-masker

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin masker
COPY --from=build /src/target/release/escalation-masker /usr/local/bin/escalation-masker
COPY masking-rules /etc/escalation-masker/rules
COPY deploy/config.toml /etc/escalation-masker/config.toml
USER 10001:10001
EXPOSE 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["escalation-masker", "healthcheck", "--url", "http://127.0.0.1:9090/healthz"]
ENTRYPOINT ["escalation-masker"]
CMD ["run", "--config", "/etc/escalation-masker/config.toml", "--admin-listen", "0.0.0.0:9090"]
