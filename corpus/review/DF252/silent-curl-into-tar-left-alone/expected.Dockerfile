FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
  && curl -sL https://example.com/tool-1.2.tar.gz | tar -xz -C /opt \
  && curl -fsSL https://example.com/other-2.0.tar.gz | tar -xz -C /opt \
  && rm -rf /var/lib/apt/lists/*
