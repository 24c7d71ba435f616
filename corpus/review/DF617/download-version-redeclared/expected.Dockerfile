ARG VERSION=2.4.1

FROM debian:12-slim
ARG VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLO "https://example.com/releases/tool-$VERSION.tar.gz" \
 && tar -xzf "tool-$VERSION.tar.gz" -C /usr/local/bin \
 && rm "tool-$VERSION.tar.gz"
