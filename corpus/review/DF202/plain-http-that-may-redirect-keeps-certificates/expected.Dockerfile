FROM debian:12
RUN apt-get update && apt-get install --no-install-recommends -y wget bzip2 ca-certificates \
    && wget -qO /tmp/src.tar.bz2 http://mirror.example.org/src.tar.bz2 \
    && tar -xjf /tmp/src.tar.bz2 -C /opt
