FROM ubuntu:22.04

ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get upgrade -y
RUN apt-get install -y wget openjdk-17-jre-headless cron tini fontconfig
RUN apt-get install -y  ca-certificates

ADD https://repo1.maven.org/maven2/com/acme/report-worker/2.4.1/report-worker-2.4.1.jar /opt/report/app.jar
ADD crontab /etc/cron.d/report
RUN chmod 0644 /etc/cron.d/report && crontab /etc/cron.d/report

WORKDIR /opt/report
RUN cd /opt/report && wget -q https://downloads.example.com/fonts/dejavu-2.37.tar.gz && tar xzf dejavu-2.37.tar.gz

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD cron -f
