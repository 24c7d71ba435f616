FROM tomcat:9.0-jdk17
RUN rm -rf /usr/local/tomcat/webapps/*
COPY --chown=10001:10001 target/shop.war /usr/local/tomcat/webapps/ROOT.war
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-log-init --create-home app \
 && chown 10001:10001 /usr/local/tomcat/webapps && chown -R 10001:10001 /usr/local/tomcat/work /usr/local/tomcat/temp /usr/local/tomcat/logs
USER 10001:10001
EXPOSE 8080
