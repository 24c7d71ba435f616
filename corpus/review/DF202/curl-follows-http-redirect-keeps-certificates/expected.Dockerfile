FROM ubuntu:18.04
RUN apt-get update && apt-get install --no-install-recommends -y ca-certificates curl \
    && curl -L -o /tmp/jdk.tar.gz http://download.oracle.com/otn-pub/java/jdk/8u131-b11/jdk-8u131-linux-x64.tar.gz \
    && rm -rf /var/lib/apt/lists/*
