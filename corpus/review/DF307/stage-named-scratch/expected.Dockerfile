FROM scratch
COPY rootfs.tar.gz /

FROM alpine:3.19 AS scratch-stage
RUN mkdir -p /out && echo ok > /out/status

FROM scratch-stage
COPY --from=scratch-stage /out /out
RUN --mount=type=bind,from=scratch-stage,source=/out,target=/mnt cat /mnt/status
