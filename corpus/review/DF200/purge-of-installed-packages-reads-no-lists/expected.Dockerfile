FROM debian:bookworm

ENV TINI_VERSION v0.19.0
RUN apt-get update && apt-get install -y --no-install-recommends gnupg wget ca-certificates \
  && wget -O /usr/bin/tini https://github.com/krallin/tini/releases/download/${TINI_VERSION}/tini \
  && chmod +x /usr/bin/tini \
  && rm -rf /var/lib/apt/lists/*
RUN apt-get purge -y --auto-remove gnupg wget

ENTRYPOINT ["tini", "--"]
CMD ["bash"]
