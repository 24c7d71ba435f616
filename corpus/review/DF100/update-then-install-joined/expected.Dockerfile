FROM debian:bookworm-slim

RUN apt-get update && \
    apt-get install -y --no-install-recommends ca-certificates curl

COPY entrypoint.sh /usr/local/bin/
ENTRYPOINT ["entrypoint.sh"]
