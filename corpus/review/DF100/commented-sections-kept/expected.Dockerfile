FROM ubuntu:20.04

##############################
# System packages
##############################
RUN apt-get update && \
    apt-get install -y git curl
#RUN apt-get install -y vim
RUN apt-get install -y python3 python3-pip

##############################
# Python tools
##############################
RUN pip3 install --upgrade pip
RUN pip3 install awscli

# Node
RUN curl -fsSL https://deb.nodesource.com/setup_18.x | bash -
RUN apt-get install -y nodejs
