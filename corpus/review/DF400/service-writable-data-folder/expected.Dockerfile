FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY ledger /usr/local/bin/ledger
RUN mkdir -p /var/lib/ledger /var/log/ledger
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-log-init --create-home app \
 && chown -R 10001:10001 /var/lib/ledger /var/log/ledger
USER 10001:10001
EXPOSE 7070
CMD ["ledger", "--data", "/var/lib/ledger", "--listen", ":7070"]
