FROM ubuntu:22.04
RUN apt-get update && apt-get install -y wget && rm -rf /var/lib/apt/lists/*

WORKDIR /opt
RUN wget -q https://github.com/gohugoio/hugo/releases/download/v0.121.1/hugo_0.121.1_linux-amd64.tar.gz && \
    tar -xzf hugo_0.121.1_linux-amd64.tar.gz -C /usr/local/bin hugo && \
    rm hugo_0.121.1_linux-amd64.tar.gz

CMD ["hugo", "server"]
