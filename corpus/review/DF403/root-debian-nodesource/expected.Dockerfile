FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates sudo && \
    curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && \
    apt-get install -y nodejs && \
    rm -rf /var/lib/apt/lists/*
