FROM debian:stretch
RUN apt-get update && apt-get install --no-install-recommends -y dirmngr gnupg \
    && apt-key adv --keyserver hkp://keyserver.ubuntu.com:80 --recv-keys 0xB1998361219BD9C9 \
    && echo "deb http://repos.azulsystems.com/debian stable main" > /etc/apt/sources.list.d/zulu.list
