# opendraw in a container: built in a Rust image, run in a small Debian one
# as a user without privileges, with the SQLite database on a volume.
#
#   docker build -t opendraw .
#   docker run -p 8080:8080 -v opendraw-data:/data opendraw
#
# For PostgreSQL, set OPENDRAW_DATABASE_URL=postgres://… instead of using
# the volume. Every `serve` flag has an OPENDRAW_… variable (see README).

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo .cargo
COPY src src
COPY migrations migrations
COPY public public
COPY calendars calendars
COPY data data
COPY benches benches
RUN cargo build --release --locked --bin opendraw \
 && cp target/release/opendraw /opendraw

FROM debian:bookworm-slim
# curl only for the health check below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin opendraw \
 && mkdir /data && chown opendraw /data
COPY --from=build /opendraw /usr/local/bin/opendraw
USER opendraw
WORKDIR /data
VOLUME /data
ENV OPENDRAW_DATABASE_URL=sqlite:/data/opendraw.db \
    OPENDRAW_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# SIGTERM (docker stop) lets requests in flight finish for up to 20 s;
# give `docker stop` at least that: `docker stop -t 30`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["opendraw"]
CMD ["serve"]
