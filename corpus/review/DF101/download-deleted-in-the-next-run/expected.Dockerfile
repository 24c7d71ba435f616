FROM debian:12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLO https://example.com/releases/tool-1.4.2-linux-amd64.tar.gz \
    && tar -xzf tool-1.4.2-linux-amd64.tar.gz -C /usr/local/bin tool \
    && rm tool-1.4.2-linux-amd64.tar.gz
ENTRYPOINT ["tool"]
