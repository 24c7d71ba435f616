FROM eclipse-temurin:17-jre
ENV ZK_HOME=/zookeeper
RUN groupadd -r zookeeper -g 1001 && \
    useradd -u 1001 -r -g zookeeper -m -d $ZK_HOME -s /sbin/nologin -c "Zookeeper user" zookeeper && \
    chmod 755 $ZK_HOME
WORKDIR $ZK_HOME
USER 1001
CMD ["bin/zkServer.sh", "start-foreground"]
