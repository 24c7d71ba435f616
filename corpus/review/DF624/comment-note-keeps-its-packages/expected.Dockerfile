FROM debian:bullseye

RUN apt-get update && apt-get install -y \
	btrfs-progs \
	libdevmapper-dev \
# libffi-dev and libssl-dev appear to be required for compiling paramiko on s390x/ppc64le
	libffi-dev \
	libssl-dev \
	binutils-mingw-w64 \
	libudev-dev \
	net-tools \
	pigz \
# python-cffi appears to be required for compiling paramiko on s390x/ppc64le
	python-cffi \
	python-dev \
	python-mock \
	vim \
	zip \
	--no-install-recommends \
	&& rm -rf /var/lib/apt/lists/*
