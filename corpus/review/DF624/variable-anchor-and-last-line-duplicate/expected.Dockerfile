FROM debian:jessie

ENV buildDeps="gcc make"
RUN apt-get update && \
    apt-get install -y $buildDeps \
        curl \
        php-pear \
        php5-cli \
        php5-common \
        php5-fpm \
        php5-mysql
