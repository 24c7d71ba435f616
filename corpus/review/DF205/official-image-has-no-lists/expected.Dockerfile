FROM ubuntu:14.04
MAINTAINER Example <dev@example.com>

RUN apt-get update && apt-get install -y software-properties-common
RUN add-apt-repository "deb http://archive.ubuntu.com/ubuntu trusty universe"
