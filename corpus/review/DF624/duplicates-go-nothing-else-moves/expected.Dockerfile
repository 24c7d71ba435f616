FROM ubuntu:18.04

RUN apt-get update && apt-get install -y \
    sudo git curl \
    build-essential \
    libopenblas-base \
    openssh-server \
    lsof \
    fonts-dejavu \
    sssd \
    sssd-tools \
    vim \
    lsb-release \
    vim-runtime tmux zsh libpng-dev \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
