FROM alpine:3.19
RUN apk add --no-cache dante-server
ENV CFGFILE=/etc/sockd.conf PIDFILE=/tmp/sockd.pid WORKERS=10
COPY sockd.conf /etc/sockd.conf
EXPOSE 1080
CMD ["sh", "-c", "exec sockd -f $CFGFILE -p $PIDFILE -N $WORKERS"]
