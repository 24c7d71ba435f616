FROM debian:12
RUN mkdir -p /opt/tool/bin
ENV PATH=$PATH:/opt/tool/bin
RUN tool --version
