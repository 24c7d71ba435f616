FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends \
      curl \
      git \
      unzip \
      wget \
      libxext6 \
      libxrender1 \
      libc6 \
    && rm -rf /var/lib/apt/lists/*
