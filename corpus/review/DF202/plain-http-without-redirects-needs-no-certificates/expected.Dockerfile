FROM debian:12
RUN apt-get update && apt-get install --no-install-recommends -y curl bzip2 \
    && curl -fsS -o /tmp/src.tar.bz2 http://mirror.example.org/src.tar.bz2 \
    && tar -xjf /tmp/src.tar.bz2 -C /opt \
    && apt-get purge -y curl
