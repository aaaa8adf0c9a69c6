# The sender service image: the sender binary next to Debian's Chromium and
# chromedriver, running as an unprivileged user.
#
#   docker build -f infra/sender.Dockerfile -t wa-sender .
#
# Build stage: the workspace compiled for the image's own architecture.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p sender --bin sender \
    && cp target/release/sender /sender

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        chromium chromium-driver ca-certificates fonts-noto-core tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 sender \
    && mkdir -p /var/lib/wa-sender && chown sender:sender /var/lib/wa-sender
COPY --from=build /sender /usr/local/bin/sender
USER sender
ENV CHROMIUM_PATH=/usr/bin/chromium \
    CHROMEDRIVER_PATH=/usr/bin/chromedriver \
    SENDER_PROFILE_DIR=/var/lib/wa-sender \
    LOG_FORMAT=json
# tini forwards SIGTERM (an ECS scale-in) to the sender, which drains.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/sender"]
