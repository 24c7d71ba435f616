FROM debian:bookworm-slim
ENV TINI_VERSION=v0.19.0
RUN apt-get update && apt-get install -y --no-install-recommends wget ca-certificates \
  && wget --output-document=/usr/bin/tini https://github.com/krallin/tini/releases/download/${TINI_VERSION}/tini \
  && wget --progress=dot:giga -O /tmp/node.tar.xz https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz \
  && chmod +x /usr/bin/tini \
  && rm -rf /var/lib/apt/lists/*
