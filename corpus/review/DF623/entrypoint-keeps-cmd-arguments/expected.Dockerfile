FROM ghcr.io/graalvm/graalvm-ce:22.3.1
ENV GRAALVM_HOME=/opt/graalvm-ce-java17-22.3.1
RUN gu install native-image
WORKDIR /project
ENTRYPOINT ["sh", "-c", "exec \"${GRAALVM_HOME}/bin/native-image\" \"$@\"", "sh"]
CMD ["--version"]
