#Ubuntu Linux Container
FROM ubuntu:14.04

# compiler
RUN apt-get update && apt-get install -y g++ && rm -rf /var/lib/apt/lists/*

# git
RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*
