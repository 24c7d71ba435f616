FROM ubuntu

RUN apt-get update
RUN apt-get install -y make gcc libc6-dev  gettext
                            #   ^ ctypes.h ^ xgettext

COPY . /src

RUN cd /src && make
