FROM ubuntu:20.04
RUN apt-get update && apt-get install --no-install-recommends -y ca-certificates curl
RUN apt-get install --no-install-recommends -y git make
RUN git clone https://github.com/example/tool /src && make -C /src install
