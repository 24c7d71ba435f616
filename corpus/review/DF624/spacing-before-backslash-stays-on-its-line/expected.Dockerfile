FROM debian:stretch

RUN apt-get update \
    && apt-get install -y \
        curl \
        fontconfig \
        libjpeg62-turbo \
        libx11-6 \
        libxext6 \ 
        libxrender1\
        xfonts-75dpi \
        xfonts-base \
    && apt-get clean
